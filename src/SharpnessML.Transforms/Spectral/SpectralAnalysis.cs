using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Spectral;

/// <summary>
/// Data-free spectral metrics of a network's weights (Martin and Mahoney 2021, "Predicting trends in the quality of
/// state-of-the-art neural networks without access to training or testing data", Nature Communications 12:4122; the
/// algorithm of CalculatedContent/WeightWatcher): for each linear weight W [out, in] and each convolution weight
/// [out, in, k_h, k_w] (read as its k_h·k_w slices W[:, :, i, j], their eigenvalues pooled into one spectrum per
/// layer, as WeightWatcher 0.4+ does), the eigenvalues λ_i = σ_i² of WᵀW from MathNet's SVD in float64, a power-law
/// fit of their tail (<see cref="PowerLawFit"/>) and the metrics of <see cref="LayerSpectrum"/>. Only the weights
/// are read: no data, no forward pass, and the module is not changed.
/// </summary>
public static class SpectralAnalysis
{
    /// <summary>The spectral metrics of the landscape's measured weights (or those <see cref="SpectralOptions.Parameters"/> chooses).</summary>
    /// <exception cref="InvalidOperationException">No weight has at least <see cref="SpectralOptions.MinEigenvalues"/> eigenvalues.</exception>
    public static SpectralMetrics Compute(LossLandscape landscape, SpectralOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        options ??= new SpectralOptions();
        if (options.Parameters is { } filter) landscape = landscape.WithParameters(filter);
        return Compute(landscape.Module, landscape.Parameters, options);
    }

    /// <summary>The spectral metrics of <paramref name="module"/>'s weights (<paramref name="parameters"/>, or all of the module's when null).</summary>
    /// <exception cref="InvalidOperationException">No weight has at least <see cref="SpectralOptions.MinEigenvalues"/> eigenvalues.</exception>
    public static SpectralMetrics Compute(nn.Module module, IReadOnlyList<Parameter>? parameters = null, SpectralOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        options ??= new SpectralOptions();
        options.Validate();
        var named = module.named_parameters().ToList();
        var chosen = parameters ?? named.Select(p => p.parameter).ToList();
        var layers = new List<LayerSpectrum>();
        var skipped = new List<string>();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // NaN or infinite weights (a diverged model) have no spectrum: every metric is NaN, as the other measures give.
        if (chosen.Any(p => !p.isfinite().all().item<bool>()))
            return new SpectralMetrics(Array.Empty<LayerSpectrum>(), named.Where(n => chosen.Any(c => c.Handle == n.parameter.Handle) && !n.parameter.isfinite().all().item<bool>()).Select(n => n.name).ToList());
        for (int k = 0; k < chosen.Count; k++)
        {
            var p = chosen[k];
            if (p.dim() != 2 && p.dim() != 4) continue;
            string name = named.FirstOrDefault(n => ReferenceEquals(n.parameter, p) || n.parameter.Handle == p.Handle).name ?? $"parameter{k}";
            var kind = p.dim() == 2 ? SpectralLayerKind.Linear : SpectralLayerKind.Convolution;
            var shape = p.shape.ToArray();
            long slices = kind == SpectralLayerKind.Linear ? 1 : shape[2] * shape[3];
            if (Math.Min(shape[0], shape[1]) * slices < options.MinEigenvalues)
            {
                skipped.Add(name);
                continue;
            }
            var eigenvalues = Eigenvalues(p, options.NormalizeConvolutions);
            var fitted = eigenvalues.Where(v => v > options.FitThreshold).ToArray();
            if (fitted.Length < 2 || fitted.Distinct().Count() < 2)
            {
                skipped.Add(name);
                continue;
            }
            layers.Add(new LayerSpectrum(name, kind, shape, eigenvalues, PowerLawFit.Fit(fitted)));
        }
        if (layers.Count == 0)
            throw new InvalidOperationException(
                $"No weight has at least {options.MinEigenvalues} eigenvalues to fit (a linear layer has min(out, in), a convolution that times its kernel size)" +
                (skipped.Count > 0 ? $"; skipped: {string.Join(", ", skipped)}." : "; the model has no 2-D or 4-D weights."));
        return new SpectralMetrics(layers, skipped);
    }

    /// <summary>
    /// The eigenvalues of WᵀW for a 2-D weight, or of every slice W[:, :, i, j] of a 4-D one (each slice scaled by
    /// √(k_h·k_w/2) when <paramref name="normalizeConvolutions"/>), pooled and sorted largest first.
    /// </summary>
    public static double[] Eigenvalues(Tensor weight, bool normalizeConvolutions = true)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 2 && weight.dim() != 4)
            throw new ArgumentException($"Spectra are taken of 2-D (linear) or 4-D (convolution) weights; got shape [{string.Join(", ", weight.shape)}].", nameof(weight));
        using var scope = torch.NewDisposeScope();
        var w = weight.detach().to(float64).cpu();
        var result = new List<double>();
        if (w.dim() == 2)
            result.AddRange(SquaredSingularValues(w));
        else
        {
            long kh = w.shape[2], kw = w.shape[3];
            double scale = normalizeConvolutions ? kh * kw / 2.0 : 1.0;
            for (long i = 0; i < kh; i++)
            for (long j = 0; j < kw; j++)
                result.AddRange(SquaredSingularValues(w.select(2, i).select(2, j)).Select(v => v * scale));
        }
        result.Sort((a, b) => b.CompareTo(a));
        return result.ToArray();
    }

    private static IEnumerable<double> SquaredSingularValues(Tensor matrix)
    {
        int rows = (int)matrix.shape[0], columns = (int)matrix.shape[1];
        var values = matrix.contiguous().data<double>().ToArray();
        // Row-major values into MathNet's column-major storage: the transpose, which has the same singular values.
        var m = Matrix<double>.Build.Dense(columns, rows, values);
        return m.Svd(computeVectors: false).S.Select(s => s * s);
    }
}
