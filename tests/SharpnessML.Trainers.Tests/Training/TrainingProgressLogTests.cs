using Microsoft.ML;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Mlp;

namespace SharpnessML.Trainers.Tests.Training;

public class TrainingProgressLogTests
{
    private sealed class Row
    {
        [Microsoft.ML.Data.VectorType(2)] public float[] Features { get; set; } = Array.Empty<float>();
        public float Label { get; set; }
    }

    private static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(Enumerable.Range(0, 50).Select(i =>
        new Row { Features = new[] { (float)Math.Sin(i), (float)Math.Cos(0.3 * i) }, Label = (float)Math.Sin(i) }));

    [Fact]
    public void ASubscriberToMlContextLogSeesEveryEpochWithItsTrainingAndValidationLoss()
    {
        var ml = new MLContext(seed: 0);
        var messages = new List<LoggingEventArgs>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e); };
        using var model = ml.Regression.Trainers.Mlp(new MlpOptions { HiddenLayerSizes = new[] { 4 }, MaxEpochs = 3, ValidationFraction = 0.2, EarlyStoppingPatience = 0, Seed = 1 }).Fit(Data(ml));
        var epochs = messages.Where(m => m.Message.Contains("Epoch ")).ToList();
        Assert.Equal(3, epochs.Count);
        var training = model.Training!;
        for (int i = 0; i < 3; i++)
        {
            Assert.Contains(FormattableString.Invariant($"Epoch {i + 1}/3: training loss {training.EpochLosses[i]:G6}, validation loss {training.ValidationLosses[i]:G6}"), epochs[i].Message);
            Assert.Equal(ChannelMessageKind.Info, epochs[i].Kind);
            Assert.Contains(nameof(MlpTrainer), epochs[i].Source);
        }
        Assert.Contains(messages, m => m.Message.Contains("Stopped after 3 epochs: reached MaxEpochs (3)"));
    }

    [Fact]
    public void WithoutAValidationSetTheEpochMessagesCarryTheTrainingLossAndTheStopSaysWhy()
    {
        var ml = new MLContext(seed: 0);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        // MinDelta 10: no epoch after the first improves enough, so patience 2 stops after epoch 3.
        using var model = ml.Regression.Trainers.Mlp(new MlpOptions { HiddenLayerSizes = new[] { 4 }, EarlyStoppingPatience = 2, EarlyStoppingMinDelta = 10, Seed = 1 }).Fit(Data(ml));
        var losses = model.Training!.EpochLosses;
        Assert.Equal(3, losses.Count);
        var epochs = messages.Where(m => m.Contains("Epoch ")).ToList();
        Assert.Equal(3, epochs.Count);
        Assert.EndsWith(FormattableString.Invariant($"Epoch 3/1000: training loss {losses[2]:G6}"), epochs[2]);
        Assert.Contains(messages, m => m.EndsWith("Stopped after 3 epochs: no improvement of the training loss by more than 10 for 2 epochs.", StringComparison.Ordinal));
    }
}
