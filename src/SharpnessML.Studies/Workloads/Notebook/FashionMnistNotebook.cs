namespace SharpnessML.Studies.Workloads.Notebook;

internal sealed class FashionMnistNotebook : INotebookWorkload
{
    public FashionMnistNotebook(string? dataPath, int threads, int? trainExamples, int? maxEpochs) => throw new NotImplementedException();

    public NotebookMember Run(int index, MemberConfiguration configuration, NotebookVariant variant) => throw new NotImplementedException();

    public void Dispose() { }
}
