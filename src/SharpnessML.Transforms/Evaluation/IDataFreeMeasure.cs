namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// A measure that reads only the model's weights, never its loss or data (the weight norms, the spectral metrics):
/// it can be taken of a landscape made by <see cref="Landscape.LossLandscape.WithoutData"/>, which is how
/// <c>sharpnessml score</c> runs without <c>--data</c>.
/// </summary>
public interface IDataFreeMeasure : ISharpnessMeasure
{
}
