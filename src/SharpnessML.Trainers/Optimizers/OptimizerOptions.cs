namespace SharpnessML.Trainers.Optimizers;

/// <summary>
/// Settings of the optimizer a trainer uses. Defaults are Adam with learning rate 1e-3 (Kingma &amp; Ba, 2015;
/// scikit-learn's <c>MLPClassifier</c> defaults), which trains small networks on a user's data without tuning
/// (docs/defaults.md); the seed paper's plain SGD at 0.01 is <see cref="SeedPaperSgd"/>.
/// </summary>
public sealed class OptimizerOptions
{
    /// <summary>
    /// Which optimizer. Default <see cref="OptimizerKind.Adam"/> (Kingma &amp; Ba, 2015; scikit-learn's
    /// <c>MLPClassifier(solver="adam")</c>).
    /// </summary>
    public OptimizerKind Kind { get; set; } = OptimizerKind.Adam;

    /// <summary>
    /// Learning rate. Default 1e-3, Adam's recommended step size (Kingma &amp; Ba, 2015, Algorithm 1) and
    /// scikit-learn's <c>learning_rate_init</c>.
    /// </summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Momentum of SGD and RMSProp (0 = none). Default 0.</summary>
    public double Momentum { get; set; }

    /// <summary>
    /// Weight decay. For SGD, Adam and RMSProp an L2 term added to the gradient; for AdamW and
    /// Adam-mini decoupled (the weights shrink by lr·decay each step). Default 0.
    /// </summary>
    public double WeightDecay { get; set; }

    /// <summary>β₁ of Adam, AdamW and Adam-mini. Default 0.9 (Kingma &amp; Ba, 2015).</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>β₂ of Adam, AdamW and Adam-mini. Default 0.999 (Kingma &amp; Ba, 2015).</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>ε of Adam, AdamW, Adam-mini and RMSProp. Default 1e-8 (Kingma &amp; Ba, 2015).</summary>
    public double Epsilon { get; set; } = 1e-8;

    /// <summary>RMSProp's smoothing constant α of the squared-gradient average. Default 0.99 (PyTorch's RMSprop default).</summary>
    public double RmsPropAlpha { get; set; } = 0.99;

    /// <summary>Sharpness-aware wrapper around the base optimizer. Default <see cref="SharpnessAwareKind.None"/>.</summary>
    public SharpnessAwareKind SharpnessAware { get; set; } = SharpnessAwareKind.None;

    /// <summary>
    /// Perturbation radius ρ of SAM, ASAM or GSAM; <c>null</c> picks the paper's default: 0.05 for
    /// SAM (Foret et al., 2021) and GSAM, 0.5 for ASAM (Kwon et al., 2021).
    /// </summary>
    public double? Rho { get; set; }

    /// <summary>GSAM's weight α of the gradient component orthogonal to the perturbed gradient. Default 0.1 (Zhuang et al., 2022 tune it per task).</summary>
    public double GsamAlpha { get; set; } = Gsam.DefaultAlpha;

    /// <summary>ASAM's η in T = |w| + η. Default 0.01 (Kwon et al., 2021).</summary>
    public double AsamEta { get; set; } = 0.01;

    /// <summary>Rényi-SAM's weight λ of the tr(H²) estimate. Default 0.001 (no published default; see <see cref="RenyiSam.DefaultLambda"/>).</summary>
    public double RenyiSamLambda { get; set; } = RenyiSam.DefaultLambda;

    /// <summary>Rényi-SAM's Rademacher probes per step. Default 1.</summary>
    public int RenyiSamProbes { get; set; } = RenyiSam.DefaultProbes;

    /// <summary>SAF's weight λ of the trajectory loss. Default 0.3 (Du et al., 2022).</summary>
    public double SafLambda { get; set; } = Saf.DefaultLambda;

    /// <summary>SAF's softmax temperature τ. Default 5 (Du et al., 2022).</summary>
    public double SafTemperature { get; set; } = Saf.DefaultTemperature;

    /// <summary>SAF's lag Ẽ: the outputs compared with are those of Ẽ epochs earlier. Default 3 (Du et al., 2022).</summary>
    public int SafEpochsBack { get; set; } = Saf.DefaultEpochsBack;

    /// <summary>SAF's first (0-based) epoch with the trajectory loss, E_start. Default 5 (Du et al., 2022).</summary>
    public int SafStartEpoch { get; set; } = Saf.DefaultStartEpoch;

    /// <summary>
    /// Clip the global L2 norm of the gradient the base optimizer steps on to at most this value
    /// (0 = no clipping). With SAM/ASAM/GSAM the final gradient (at the perturbed point) is clipped, with Rényi-SAM and SAF the gradient of the regularised loss;
    /// the perturbation direction does not depend on the gradient's scale. Default 0.
    /// </summary>
    public double GradientClipNorm { get; set; }

    /// <summary>
    /// The seed paper's optimizer: plain SGD (no momentum, no weight decay) with learning rate 0.01, as its Abalone
    /// reference FCNN trains. The defaults of every other setting are unchanged.
    /// </summary>
    public static OptimizerOptions SeedPaperSgd() => new() { Kind = OptimizerKind.Sgd, LearningRate = 0.01 };

    /// <summary>The ρ in use: <see cref="Rho"/> or the default of <see cref="SharpnessAware"/>.</summary>
    public double EffectiveRho => Rho ?? (SharpnessAware == SharpnessAwareKind.Asam ? 0.5 : 0.05);

    /// <summary>Throws a clear error naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be a positive finite number.");
        if (Momentum < 0 || Momentum >= 1)
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must be in [0, 1).");
        if (WeightDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "WeightDecay must be non-negative.");
        if (Beta1 < 0 || Beta1 >= 1) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "Beta1 must be in [0, 1).");
        if (Beta2 < 0 || Beta2 >= 1) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "Beta2 must be in [0, 1).");
        if (!(Epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Epsilon must be positive.");
        if (!(RmsPropAlpha >= 0 && RmsPropAlpha < 1)) throw new ArgumentOutOfRangeException(nameof(RmsPropAlpha), RmsPropAlpha, "RmsPropAlpha must be in [0, 1).");
        if (!Enum.IsDefined(Kind)) throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown optimizer.");
        if (!Enum.IsDefined(SharpnessAware)) throw new ArgumentOutOfRangeException(nameof(SharpnessAware), SharpnessAware, "Unknown sharpness-aware method.");
        if (Rho is double rho && !(rho > 0 && double.IsFinite(rho)))
            throw new ArgumentOutOfRangeException(nameof(Rho), rho, "Rho must be a positive finite number.");
        if (!(AsamEta >= 0) || double.IsInfinity(AsamEta)) throw new ArgumentOutOfRangeException(nameof(AsamEta), AsamEta, "AsamEta must be a non-negative finite number.");
        if (!(GsamAlpha >= 0) || double.IsInfinity(GsamAlpha)) throw new ArgumentOutOfRangeException(nameof(GsamAlpha), GsamAlpha, "GsamAlpha must be a non-negative finite number.");
        if (!(RenyiSamLambda >= 0) || double.IsInfinity(RenyiSamLambda)) throw new ArgumentOutOfRangeException(nameof(RenyiSamLambda), RenyiSamLambda, "RenyiSamLambda must be a non-negative finite number.");
        if (RenyiSamProbes < 1) throw new ArgumentOutOfRangeException(nameof(RenyiSamProbes), RenyiSamProbes, "RenyiSamProbes must be at least 1.");
        if (!(SafLambda >= 0) || double.IsInfinity(SafLambda)) throw new ArgumentOutOfRangeException(nameof(SafLambda), SafLambda, "SafLambda must be a non-negative finite number.");
        if (!(SafTemperature > 0) || double.IsInfinity(SafTemperature)) throw new ArgumentOutOfRangeException(nameof(SafTemperature), SafTemperature, "SafTemperature must be a positive finite number.");
        if (SafEpochsBack < 1) throw new ArgumentOutOfRangeException(nameof(SafEpochsBack), SafEpochsBack, "SafEpochsBack must be at least 1.");
        if (SafStartEpoch < 0) throw new ArgumentOutOfRangeException(nameof(SafStartEpoch), SafStartEpoch, "SafStartEpoch must be non-negative.");
        if (!(GradientClipNorm >= 0) || double.IsInfinity(GradientClipNorm))
            throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), GradientClipNorm, "GradientClipNorm must be 0 (off) or a positive finite number.");
    }
}
