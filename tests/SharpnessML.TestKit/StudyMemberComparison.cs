using System.Text.Json;
using System.Text.Json.Serialization;
using SharpnessML.Studies;

namespace SharpnessML.TestKit;

/// <summary>Compares study members by value (records compare their dictionaries and lists by reference).</summary>
internal static class StudyMemberComparison
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The member as JSON; with <paramref name="withoutTimes"/>, wall times are zeroed (they differ between runs).</summary>
    public static string Canonical(StudyMember member, bool withoutTimes = true)
    {
        if (withoutTimes)
        {
            member = member with
            {
                TrainSeconds = 0,
                Measurements = member.Measurements.Select(m => m with { Seconds = 0, DetailsJson = WithoutSeconds(m.DetailsJson) }).ToList(),
            };
        }

        return JsonSerializer.Serialize(member, Json);
    }

    private static string WithoutSeconds(string details)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(details)!.AsObject();
        node.Remove("seconds");
        return node.ToJsonString();
    }

    public static void Equal(IReadOnlyList<StudyMember> expected, IReadOnlyList<StudyMember> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(Canonical(expected[i]), Canonical(actual[i]));
    }
}
