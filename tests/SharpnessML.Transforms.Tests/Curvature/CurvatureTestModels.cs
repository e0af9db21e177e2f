using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Curvature;

/// <summary>Tiny float64 networks and the dense references (Jacobians, output Hessians, per-example gradients) the curvature tests compare with.</summary>
internal static class CurvatureTestModels
{
    /// <summary>Linear(in → out) alone (a linear model) with random data, in float64.</summary>
    public static LossLandscape Linear(int inputs, int outputs, int examples, LossFunction loss, int seed)
    {
        var module = TorchRuntime.Seeded(seed, () => nn.Sequential(("fc", nn.Linear(inputs, outputs))));
        return Build(module, inputs, outputs, examples, loss, seed);
    }

    /// <summary>Linear → ReLU → Linear with random data, in float64.</summary>
    public static LossLandscape Relu(int inputs, int hidden, int outputs, int examples, LossFunction loss, int seed)
    {
        var module = TorchRuntime.Seeded(seed, () => nn.Sequential(("fc1", nn.Linear(inputs, hidden)), ("relu", nn.ReLU()), ("fc2", nn.Linear(hidden, outputs))));
        return Build(module, inputs, outputs, examples, loss, seed);
    }

    private static LossLandscape Build(nn.Module<Tensor, Tensor> module, int inputs, int outputs, int examples, LossFunction loss, int seed)
    {
        module.to(float64);
        var generator = new torch.Generator((ulong)seed + 100);
        var x = torch.randn(new long[] { examples, inputs }, dtype: float64, generator: generator);
        var y = loss == LossFunction.CrossEntropy
            ? torch.randint(0, outputs, new long[] { examples }, dtype: int64, generator: generator)
            : torch.randn(new long[] { examples }, dtype: float64, generator: generator);
        return LossLandscape.ForSupervised(module, new SupervisedTensors(x, y), loss);
    }

    /// <summary>The gradient of a scalar in the landscape's parameters, flattened.</summary>
    public static Vector<double> Gradient(LossLandscape landscape, Tensor scalar)
    {
        var g = torch.autograd.grad(new[] { scalar }, landscape.Parameters.Cast<Tensor>().ToArray(), retain_graph: true, allow_unused: true);
        var parts = g.Select((t, i) => t is null || t.IsInvalid ? torch.zeros_like(landscape.Parameters[i]) : t).ToArray();
        return Vector<double>.Build.DenseOfArray(ParameterVectors.Flatten(parts).to(float64).data<double>().ToArray());
    }

    /// <summary>Example i's output Jacobian [outputs, parameters], row by row through autograd.</summary>
    public static Matrix<double> Jacobian(LossLandscape landscape, int example)
    {
        var f = landscape.Supervised!.Outputs(torch.tensor(new long[] { example })).reshape(-1);
        var rows = Enumerable.Range(0, (int)f.shape[0]).Select(k => Gradient(landscape, f[k])).ToList();
        return Matrix<double>.Build.DenseOfRowVectors(rows);
    }

    /// <summary>The Hessian of example i's loss in its outputs: 2·I for (f − y)², diag(p) − ppᵀ for cross-entropy.</summary>
    public static Matrix<double> OutputHessian(LossLandscape landscape, int example)
    {
        var f = landscape.Supervised!.Outputs(torch.tensor(new long[] { example })).reshape(-1).detach();
        int k = (int)f.shape[0];
        if (landscape.Supervised.Loss == LossFunction.MeanSquaredError) return 2.0 * Matrix<double>.Build.DenseIdentity(k);
        var p = nn.functional.softmax(f, 0).data<double>().ToArray();
        return Matrix<double>.Build.Dense(k, k, (i, j) => (i == j ? p[i] : 0) - p[i] * p[j]);
    }

    /// <summary>The gradient of example i's loss at <paramref name="label"/> (its own label when null).</summary>
    public static Vector<double> ExampleGradient(LossLandscape landscape, int example, Tensor? label = null)
    {
        var problem = landscape.Supervised!;
        var index = torch.tensor(new long[] { example });
        var f = problem.Outputs(index);
        var y = label ?? problem.Data.Labels.index_select(0, index);
        var loss = problem.Loss == LossFunction.CrossEntropy ? nn.functional.cross_entropy(f, y.reshape(1)) : (f.reshape(-1) - y.reshape(-1)).square().sum();
        return Gradient(landscape, loss);
    }

    /// <summary>‖a − b‖_max / max(1, ‖b‖_max).</summary>
    public static double MaxError(Matrix<double> a, Matrix<double> b) =>
        (a - b).Enumerate().Max(Math.Abs) / Math.Max(1.0, b.Enumerate().Max(Math.Abs));
}
