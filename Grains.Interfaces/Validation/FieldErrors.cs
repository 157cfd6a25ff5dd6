using IronOrleans.Grains.Errors;

namespace IronOrleans.Grains.Validation;

/// <summary>Collects field violations (field path + description) for one request.</summary>
public sealed class FieldErrors
{
    private readonly List<(string Field, string Description)> _errors = [];

    /// <summary>The violations found so far.</summary>
    public IReadOnlyList<(string Field, string Description)> Errors => _errors;

    /// <summary>True when nothing was found.</summary>
    public bool IsEmpty => _errors.Count == 0;

    /// <summary>Records a violation.</summary>
    public void Add(string field, string description) => _errors.Add((field, description));

    /// <summary>Throws an <see cref="InvalidFieldException"/> for the first violation, if any.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            var (field, description) = _errors[0];
            throw new InvalidFieldException(field, $"{field}: {description}");
        }
    }
}
