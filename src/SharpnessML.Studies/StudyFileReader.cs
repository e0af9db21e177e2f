using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SharpnessML.Studies;

/// <summary>Reads a study file, JSON or YAML (by extension), into a JSON document.</summary>
internal static class StudyFileReader
{
    public static JsonDocument Read(string path)
    {
        if (Directory.Exists(path)) throw new FileNotFoundException($"Study file {path} is a folder, not a file.", path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Study file {path} does not exist.", path);
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
    }

    /// <summary>Converts a YAML document to JSON: plain scalars that read as numbers, booleans or null become those.</summary>
    public static string YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            if (stream.Documents.Count == 0) json.WriteNullValue();
            else Write(json, stream.Documents[0].RootNode);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter json, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                json.WriteStartObject();
                foreach (var (key, value) in map.Children)
                {
                    json.WritePropertyName(((YamlScalarNode)key).Value ?? "");
                    Write(json, value);
                }

                json.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                json.WriteStartArray();
                foreach (var item in sequence.Children) Write(json, item);
                json.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                var text = scalar.Value ?? "";
                if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted) json.WriteStringValue(text);
                else if (text is "" or "~" or "null") json.WriteNullValue();
                else if (text is "true" or "false") json.WriteBooleanValue(text == "true");
                else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)) json.WriteNumberValue(number);
                else json.WriteStringValue(text);
                break;
            default:
                throw new InvalidDataException($"Unsupported YAML node at line {node.Start.Line}.");
        }
    }
}
