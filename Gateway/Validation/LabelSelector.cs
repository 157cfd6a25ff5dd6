using IronOrleans.Grains.Validation;

namespace IronOrleans.Gateway.Validation;

/// <summary>
/// Kubernetes' equality-based label selector: comma-separated <c>key=value</c>, <c>key==value</c> and <c>key!=value</c>
/// requirements, all of which must hold. Parsed at the edge.
/// </summary>
internal sealed class LabelSelector
{
    private readonly (string Key, string Value, bool Equal)[] _requirements;

    private LabelSelector((string Key, string Value, bool Equal)[] requirements) => _requirements = requirements;

    /// <summary>The selector that selects everything.</summary>
    public static LabelSelector Everything { get; } = new([]);

    /// <summary>Number of requirements.</summary>
    public int Count => _requirements.Length;

    /// <summary>Parses <paramref name="text"/>; reports a violation on <paramref name="field"/> and returns null when malformed.</summary>
    public static LabelSelector? Parse(string? text, FieldErrors errors, string field = "label_selector")
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<(string, string, bool)>();
        var parts = text.Split(',');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].Trim();
            var (key, value, equal, ok) = part.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0
                ? (part[..ne], part[(ne + 2)..], false, true)
                : part.IndexOf("==", StringComparison.Ordinal) is var eqeq and > 0
                    ? (part[..eqeq], part[(eqeq + 2)..], true, true)
                    : part.IndexOf('=', StringComparison.Ordinal) is var eq and > 0
                        ? (part[..eq], part[(eq + 1)..], true, true)
                        : (string.Empty, string.Empty, false, false);
            key = key.Trim();
            value = value.Trim();
            if (!ok || key.Length == 0 || value.Contains('=', StringComparison.Ordinal) || value.Contains('!', StringComparison.Ordinal))
            {
                errors.Add(field, $"requirement {i + 1} ('{part}') must be key=value, key==value or key!=value");
                return null;
            }

            var probe = new FieldErrors();
            Validate.Labels(new Dictionary<string, string> { [key] = value }, field, probe);
            if (!probe.IsEmpty)
            {
                errors.Add(field, $"requirement {i + 1} ('{part}'): {probe.Errors[0].Description}");
                return null;
            }

            requirements.Add((key, value, equal));
        }

        return new LabelSelector([.. requirements]);
    }

    /// <summary>Whether <paramref name="labels"/> satisfy every requirement (a missing key satisfies <c>!=</c>).</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var (key, value, equal) in _requirements)
        {
            var has = labels.TryGetValue(key, out var actual) && actual == value;
            if (has != equal)
            {
                return false;
            }
        }

        return true;
    }
}
