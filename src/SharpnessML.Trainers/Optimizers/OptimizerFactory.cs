using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Optimizers;

/// <summary>Creates TorchSharp optimizers from <see cref="OptimizerOptions"/>.</summary>
internal static class OptimizerFactory
{
    /// <summary>
    /// Creates the optimizer over <paramref name="parameters"/>: the base optimizer of
    /// <see cref="OptimizerOptions.Kind"/>, wrapped by SAM/ASAM/GSAM/Rényi-SAM/SAF when
    /// <see cref="OptimizerOptions.SharpnessAware"/> asks for it, then by gradient clipping when
    /// <see cref="OptimizerOptions.GradientClipNorm"/> is positive.
    /// </summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="options">Optimizer settings; validated here.</param>
    /// <param name="module">
    /// The module that owns the parameters. Sharpness-aware wrappers use it to keep the second
    /// (perturbed) forward pass from updating buffers such as BatchNorm running statistics.
    /// </param>
    public static optim.Optimizer Create(IEnumerable<Parameter> parameters, OptimizerOptions options, nn.Module? module = null)
    {
        options.Validate();
        var list = parameters.ToList();
        optim.Optimizer optimizer = options.Kind switch
        {
            OptimizerKind.Sgd => optim.SGD(list, options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
            OptimizerKind.Adam => optim.Adam(list, options.LearningRate, options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay),
            OptimizerKind.AdamW => optim.AdamW(list, options.LearningRate, options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay),
            OptimizerKind.RmsProp => optim.RMSProp(list, options.LearningRate, options.RmsPropAlpha, options.Epsilon, options.WeightDecay, options.Momentum),
            OptimizerKind.AdamMini => new AdamMini(list, options.LearningRate, options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "Unknown optimizer."),
        };
        optimizer = options.SharpnessAware switch
        {
            SharpnessAwareKind.None => optimizer,
            SharpnessAwareKind.Sam => new Sam(optimizer, options.EffectiveRho, module),
            SharpnessAwareKind.Asam => new Asam(optimizer, options.EffectiveRho, options.AsamEta, module),
            SharpnessAwareKind.Gsam => new Gsam(optimizer, options.EffectiveRho, options.GsamAlpha, module),
            SharpnessAwareKind.RenyiSam => new RenyiSam(optimizer, options.RenyiSamLambda, options.RenyiSamProbes),
            SharpnessAwareKind.Saf => new Saf(optimizer, options.SafLambda, options.SafTemperature, options.SafEpochsBack, options.SafStartEpoch),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.SharpnessAware, "Unknown sharpness-aware method."),
        };
        return options.GradientClipNorm > 0 ? new GradientClipping(optimizer, options.GradientClipNorm) : optimizer;
    }
}
