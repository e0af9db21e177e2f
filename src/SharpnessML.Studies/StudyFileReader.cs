using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using SharpnessML.Trainers.Data;
using YamlDotNet.Core.Events;

namespace SharpnessML.Studies;

/// <summary>
/// Reads a study file, JSON or YAML (by extension), into a JSON document: a regular file of at most
/// <see cref="InputFile.MaxStudyFileBytes"/>, nested at most <see cref="MaxDepth"/> deep, YAML without aliases.
/// </summary>
internal static class StudyFileReader
{
    public static JsonDocument Read(string path)
    {
        if (Directory.Exists(path)) throw new FileNotFoundException($"Study file {path} is a folder, not a file.", path);
        InputFile.Check(path, "Study file", InputFile.MaxStudyFileBytes);
        var text = File.ReadAllText(path);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        try
        {
            return extension is ".yaml" or ".yml" ? JsonDocument.Parse(YamlToJson(text)) : JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Study file {path}: not valid JSON: {e.Message}", e);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"Study file {path}: not valid YAML (line {e.Start.Line}): {e.Message}", e);
        }
        catch (InvalidOperationException e) when (extension is ".yaml" or ".yml")
        {
            // YamlDotNet's scanner throws this, not a YamlException, on some malformed plain scalars (found by the fuzz test).
            throw new InvalidDataException($"Study file {path}: not valid YAML: the YAML scanner stopped ({e.Message}).", e);
        }
    }

    /// <summary>Deepest nesting of mappings and sequences a study file may have (JSON's default limit too).</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Converts a YAML document to JSON: plain scalars that read as numbers, booleans or null become those. Read as a
    /// stream of events with an explicit stack, so nesting costs no call depth; aliases (<c>*name</c>) are refused (a
    /// study file needs none, and aliases of aliases expand exponentially), and so are keys that are not scalars and
    /// nesting deeper than <see cref="MaxDepth"/>.
    /// </summary>
    public static string YamlToJson(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            parser.Consume<StreamStart>();
            if (!parser.TryConsume<DocumentStart>(out _)) json.WriteNullValue();
            else WriteNode(parser, json);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private enum Frame { Sequence, Key, Value }

    private static void WriteNode(IParser parser, Utf8JsonWriter json)
    {
        var frames = new Stack<(Frame Kind, HashSet<string>? Keys)>();
        for (; parser.Current is { } e; parser.MoveNext())
        {
            if (frames.TryPeek(out var top) && top.Kind == Frame.Key)
            {
                if (e is MappingEnd)
                {
                    json.WriteEndObject();
                    frames.Pop();
                    if (Completed(frames)) return;
                    continue;
                }

                if (e is not Scalar key)
                    throw new YamlException(e.Start, e.End, e is AnchorAlias ? AliasMessage : "a mapping key must be a plain scalar such as a name, not a sequence or mapping (a complex key '? ...')");
                if (!top.Keys!.Add(key.Value)) throw new YamlException(e.Start, e.End, $"the key '{key.Value}' appears twice in one mapping");
                json.WritePropertyName(key.Value);
                frames.Pop();
                frames.Push((Frame.Value, top.Keys));
                continue;
            }

            switch (e)
            {
                case Scalar scalar:
                    WriteScalar(json, scalar);
                    break;
                case MappingStart:
                    if (frames.Count >= MaxDepth) throw new YamlException(e.Start, e.End, $"nested more than {MaxDepth} levels deep");
                    json.WriteStartObject();
                    frames.Push((Frame.Key, new HashSet<string>(StringComparer.Ordinal)));
                    continue;
                case SequenceStart:
                    if (frames.Count >= MaxDepth) throw new YamlException(e.Start, e.End, $"nested more than {MaxDepth} levels deep");
                    json.WriteStartArray();
                    frames.Push((Frame.Sequence, null));
                    continue;
                case SequenceEnd:
                    json.WriteEndArray();
                    frames.Pop();
                    break;
                case AnchorAlias:
                    throw new YamlException(e.Start, e.End, AliasMessage);
                default:
                    continue; // comments
            }

            if (Completed(frames)) return;
        }
    }

    private const string AliasMessage = "aliases (*name) are not supported in study files; write the value out";

    /// <summary>After a whole value: true at the top level; in a mapping, the next event is a key again.</summary>
    private static bool Completed(Stack<(Frame Kind, HashSet<string>? Keys)> frames)
    {
        if (frames.Count == 0) return true;
        if (frames.Peek().Kind == Frame.Value)
        {
            var (_, keys) = frames.Pop();
            frames.Push((Frame.Key, keys));
        }

        return false;
    }

    private static void WriteScalar(Utf8JsonWriter json, Scalar scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted) json.WriteStringValue(text);
        else if (text is "" or "~" or "null") json.WriteNullValue();
        else if (text is "true" or "false") json.WriteBooleanValue(text == "true");
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)) json.WriteNumberValue(number);
        else json.WriteStringValue(text);
    }
}
