namespace SharpnessML.Studies.Workloads.Notebook;

/// <summary>How a notebook-protocol run estimates sharpness.</summary>
internal enum NotebookAscent
{
    /// <summary>The notebook's projected gradient ascent (its epochs, step size, clamp and kept state).</summary>
    Notebook,

    /// <summary>The notebook's ascent, but on random batches of m = 64 and measured on each batch (m-sharpness, 16 batches).</summary>
    RandomBatches,

    /// <summary>The library's measure: adaptive L∞ worst-case m-sharpness (Auto-PGD, 20 steps, 16 random batches of 64, evaluation mode, c = |w|).</summary>
    LibraryMeasure,

    /// <summary>The library's Auto-PGD (20 steps, evaluation mode, c = |w|) on the whole training set at once: PGA epochs vs Auto-PGD alone.</summary>
    LibraryWholeSet,
}

/// <summary>
/// One row of the notebook protocol's ablation: the notebook's experiment (all defaults) with at most one choice
/// switched to the library's. Switches that do not apply to a data set are ignored by its workload.
/// </summary>
internal sealed record NotebookVariant
{
    /// <summary>Short name of the row (also the results folder's suffix).</summary>
    public string Name { get; init; } = "notebook";

    /// <summary>One sentence: what the switch changes.</summary>
    public string Change { get; init; } = "the notebook's protocol";

    /// <summary>The library's pool (its 50-point grid of learning rates × batch sizes or weight decays × 2 seeds) instead of 50 seeds of one configuration.</summary>
    public bool LibraryGrid { get; init; }

    /// <summary>Training (and, for the FCNN, ascent) learning rate; null: the notebook's (FCNN 0.102, LeNet 0.05, GAT 0.236).</summary>
    public double? LearningRate { get; init; }

    /// <summary>The library's optimizer (LeNet: SGD momentum 0.9 without weight decay, lr 0.01; GAT: Adam lr 0.005, weight decay 5e-4) instead of the notebook's plain SGD.</summary>
    public bool LibraryOptimizer { get; init; }

    /// <summary>FCNN: each SGD step's loss on its mini-batch instead of the whole training set.</summary>
    public bool MiniBatchLoss { get; init; }

    /// <summary>FCNN: a linear output layer instead of ELU after it.</summary>
    public bool LinearOutput { get; init; }

    /// <summary>FCNN: clamp to w0 ± ε|w0| instead of the notebook's w0 ± ε·w0 (which pins negative weights to w0(1 + ε)).</summary>
    public bool ClampWithAbs { get; init; }

    /// <summary>LeNet, GAT: the ascent in evaluation mode (dropout off, BatchNorm frozen; state restored) instead of train mode.</summary>
    public bool EvalModeAscent { get; init; }

    /// <summary>LeNet: every training epoch in train mode; the notebook calls <c>model.eval()</c> after epoch 1 and never <c>model.train()</c> again, so epochs 2+ train with dropout off and BatchNorm on its frozen running statistics.</summary>
    public bool TrainModeEveryEpoch { get; init; }

    /// <summary>
    /// LeNet: the clamp's box around w0. The notebook's <c>clone_w = [param.detach() ...]</c> shares storage with the
    /// parameters, so the first SGD step moves it too: the box is centred on w1, the weights after one unconstrained
    /// ascent step (lr 0.05).
    /// </summary>
    public bool BoxAroundW0 { get; init; }

    /// <summary>GAT: the losses around the ascent (before, after each step) in evaluation mode on all training nodes instead of the train-mode 3-mask sum.</summary>
    public bool EvalModeLoss { get; init; }

    /// <summary>How sharpness is estimated.</summary>
    public NotebookAscent Ascent { get; init; } = NotebookAscent.Notebook;
}

/// <summary>One model of a notebook-protocol pool: its seed, training, losses and sharpness.</summary>
internal sealed record NotebookMember(
    int Index, int Seed, string Configuration, int Epochs, double TrainLoss, double TestLoss, double TestError, double Sharpness, double Seconds);

/// <summary>A data set's notebook experiment: loads the data once, then trains and measures one model at a time.</summary>
internal interface INotebookWorkload : IDisposable
{
    /// <summary>Trains and measures model <paramref name="index"/> of a pool with the given seed and configuration.</summary>
    NotebookMember Run(int index, MemberConfiguration configuration, NotebookVariant variant);
}
