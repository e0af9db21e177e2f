namespace SharpnessML.Studies.DiagonalNetwork;

/// <summary>
/// The counts behind Li, Wen &amp; Lyu (2025)'s claim over the draws of a <see cref="DiagonalNetworkExperiment"/>: on
/// each draw, Adam with label noise reaches lower tr(diag(H)^½) and a β no denser than SGD with label noise, whose
/// tr(H) is at its minimum over the interpolators (4·min ‖β‖₁, within <see cref="DiagonalNetworkExperiment.TraceTolerance"/>)
/// and no higher than Adam's. Pairs are (Adam, SGD).
/// </summary>
internal sealed record DiagonalNetworkClaim(
    int Seeds, int LowerSqrtDiagTrace, int Sparser, int NotDenser, int LowerTrace, int NotHigherTrace, int SgdAtMinimum,
    int AdamAtMinimum, int BetterTest, (double Adam, double Sgd) MeanSqrtDiagTrace, (double Adam, double Sgd) MeanLarge,
    (double Adam, double Sgd) MeanTrace, (double Adam, double Sgd) MedianTestMse, (double Adam, double Sgd) MeanTestMse,
    double MeanTraceRatio)
{
    /// <summary>Whether the claim holds on every draw.</summary>
    public bool Met => LowerSqrtDiagTrace == Seeds && NotDenser == Seeds && NotHigherTrace == Seeds && SgdAtMinimum == Seeds;
}
