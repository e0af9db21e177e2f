using Microsoft.ML;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Visualization;

namespace SharpnessML.Transforms.Tests.Visualization;

/// <summary>
/// Li et al.'s (2018) reason for filter normalisation: rescaling a ReLU layer by α and the next by 1/α leaves the
/// function unchanged, and with filter-normalised directions (biases left out) it leaves the whole surface unchanged
/// too, since each filter's direction scales with its weights. Without normalisation the surfaces differ.
/// </summary>
public sealed class RescalingInvarianceTests
{
    [Fact]
    public void FilterNormalisedSurfacesOfRescaledCopiesAreTheSame()
    {
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var options = new LossSurfaceOptions { TwoDimensional = true, Steps = 5 };
        var plain = new LossSurfaceOptions { TwoDimensional = true, Steps = 5, Normalization = DirectionNormalization.None };
        var one = ml.Sharpness().Landscape(RescaledMlp.Model(ml, raw, 1), raw, options);
        var three = ml.Sharpness().Landscape(RescaledMlp.Model(ml, raw, 3), raw, options);
        var onePlain = ml.Sharpness().Landscape(RescaledMlp.Model(ml, raw, 1), raw, plain);
        var threePlain = ml.Sharpness().Landscape(RescaledMlp.Model(ml, raw, 3), raw, plain);
        double largestPlainGap = 0;
        for (int j = 0; j < 5; j++)
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(one.LossAt(i, j), three.LossAt(i, j), 1e-5 * Math.Max(1, one.LossAt(i, j)));
            largestPlainGap = Math.Max(largestPlainGap, Math.Abs(onePlain.LossAt(i, j) - threePlain.LossAt(i, j)) / onePlain.LossAt(i, j));
        }
        Assert.Equal(one.LossAt(2, 2), onePlain.LossAt(2, 2)); // the same centre
        Assert.True(largestPlainGap > 0.1, $"unnormalised surfaces differ by at most {largestPlainGap:P1}");
        Assert.Equal(40, one.ExampleCount);

        var sharpOne = ml.Sharpness().Measure(RescaledMlp.Model(ml, raw, 1), raw, FilterNormalizedSharpnessMeasure.MeasureName);
        var sharpThree = ml.Sharpness().Measure(RescaledMlp.Model(ml, raw, 3), raw, FilterNormalizedSharpnessMeasure.MeasureName);
        Assert.NotEqual(0.0, sharpOne.Value); // these weights are no minimum: the loss may fall along a direction
        Assert.Equal(sharpOne.Value, sharpThree.Value, 1e-5 * Math.Abs(sharpOne.Value));
    }
}
