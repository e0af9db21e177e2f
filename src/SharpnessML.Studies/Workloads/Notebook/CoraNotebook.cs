namespace SharpnessML.Studies.Workloads.Notebook;

internal sealed class CoraNotebook : INotebookWorkload
{
    public CoraNotebook(string? dataPath, int threads, int? maxEpochs) => throw new NotImplementedException();

    public NotebookMember Run(int index, MemberConfiguration configuration, NotebookVariant variant) => throw new NotImplementedException();

    public void Dispose() { }
}
