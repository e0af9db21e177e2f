using Microsoft.ML;
using Microsoft.ML.Data;

namespace SharpnessML.Datasets;

/// <summary>
/// A read-only <see cref="IDataView"/> over grey-scale images stored as bytes and their class
/// labels: <c>Features</c> is a known-size vector of Single (each pixel mapped through a 256-entry
/// table, so normalising costs a lookup) and <c>Label</c> a uint key (class c is key c + 1) whose
/// key values are the class names. It keeps only the bytes (one per pixel), so 60,000 28×28 images
/// take 47 MB, and a cursor allocates nothing per row.
/// </summary>
internal sealed class ImageClassificationDataView : IDataView
{
    private readonly byte[] pixels;
    private readonly byte[] labels;
    private readonly float[] pixelValues;
    private readonly int width;

    /// <param name="pixels">Images, row-major, <paramref name="width"/> bytes each.</param>
    /// <param name="labels">One class index (0-based, below the number of class names) per image.</param>
    /// <param name="width">Pixels per image.</param>
    /// <param name="pixelValues">The feature value of each byte value (256 entries).</param>
    /// <param name="classNames">The classes' names, in class order.</param>
    /// <param name="featureColumn">Name of the feature column.</param>
    /// <param name="labelColumn">Name of the label column.</param>
    public ImageClassificationDataView(byte[] pixels, byte[] labels, int width, float[] pixelValues,
        IReadOnlyList<string> classNames, string featureColumn, string labelColumn)
    {
        if (pixelValues.Length != 256) throw new ArgumentException("pixelValues needs one entry per byte value.", nameof(pixelValues));
        if ((long)labels.Length * width != pixels.LongLength)
            throw new ArgumentException($"{labels.Length} labels need {(long)labels.Length * width} pixels; got {pixels.LongLength}.", nameof(pixels));
        this.pixels = pixels;
        this.labels = labels;
        this.width = width;
        this.pixelValues = pixelValues;

        var names = classNames.Select(n => n.AsMemory()).ToArray();
        var annotations = new DataViewSchema.Annotations.Builder();
        // "KeyValues" is ML.NET's annotation kind for key names (AnnotationUtils.Kinds.KeyValues, internal).
        annotations.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, names.Length),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone()));
        var schema = new DataViewSchema.Builder();
        schema.AddColumn(featureColumn, new VectorDataViewType(NumberDataViewType.Single, width));
        schema.AddColumn(labelColumn, new KeyDataViewType(typeof(uint), names.Length), annotations.ToAnnotations());
        Schema = schema.ToSchema();
    }

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public bool CanShuffle => false;

    /// <inheritdoc />
    public long? GetRowCount() => labels.Length;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ImageClassificationDataView view;
        private readonly bool[] active;
        private long position = -1;

        public Cursor(ImageClassificationDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            this.view = view;
            active = new bool[view.Schema.Count];
            foreach (var c in columnsNeeded) active[c.Index] = true;
        }

        public override DataViewSchema Schema => view.Schema;

        public override long Position => position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (position + 1 >= view.labels.Length)
            {
                position = view.labels.Length;
                return false;
            }
            position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)CheckedPosition(), 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < 0 || column.Index >= active.Length || !active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            Delegate getter = column.Index == 0
                ? (ValueGetter<VBuffer<float>>)GetFeatures
                : (ValueGetter<uint>)GetLabel;
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }

        private void GetFeatures(ref VBuffer<float> value)
        {
            int width = view.width;
            var editor = VBufferEditor.Create(ref value, width);
            var source = view.pixels.AsSpan(checked((int)CheckedPosition() * width), width);
            var table = view.pixelValues;
            var target = editor.Values;
            for (int j = 0; j < width; j++) target[j] = table[source[j]];
            value = editor.Commit();
        }

        private void GetLabel(ref uint value) => value = view.labels[CheckedPosition()] + 1u;

        private long CheckedPosition() =>
            position >= 0 && position < view.labels.Length
                ? position
                : throw new InvalidOperationException("The cursor is not on a row; call MoveNext first.");
    }
}
