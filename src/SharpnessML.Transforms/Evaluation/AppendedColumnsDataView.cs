using Microsoft.ML;
using Microsoft.ML.Data;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// An <see cref="IDataView"/> that is its input plus Single columns whose values were computed beforehand, one per
/// input row (row i's values at index i). Cursors delegate to the input's and read the extra values by position.
/// </summary>
internal sealed class AppendedColumnsDataView : IDataView
{
    private readonly IDataView input;
    private readonly IReadOnlyList<float[]> values;
    private readonly int firstAppended;

    public AppendedColumnsDataView(IDataView input, IReadOnlyList<(string Name, float[] Values)> columns)
    {
        this.input = input;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input.Schema);
        foreach (var (name, _) in columns) builder.AddColumn(name, NumberDataViewType.Single);
        Schema = builder.ToSchema();
        firstAppended = input.Schema.Count;
        values = columns.Select(c => c.Values).ToList();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => values.Count > 0 ? values[0].Length : input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Where(c => c.Index < firstAppended).Select(c => input.Schema[c.Index]);
        return new Cursor(this, input.GetRowCursor(needed));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor(AppendedColumnsDataView view, DataViewRowCursor inner) : DataViewRowCursor
    {
        public override DataViewSchema Schema => view.Schema;

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override bool MoveNext() => inner.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index >= view.firstAppended || inner.IsColumnActive(view.input.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < view.firstAppended) return inner.GetGetter<TValue>(view.input.Schema[column.Index]);
            if (typeof(TValue) != typeof(float))
                throw new InvalidOperationException($"Column '{column.Name}' holds Single values, not {typeof(TValue).Name}.");
            var columnValues = view.values[column.Index - view.firstAppended];
            ValueGetter<float> getter = (ref float value) => value = columnValues[checked((int)inner.Position)];
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
