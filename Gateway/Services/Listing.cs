using IronOrleans.Gateway.Errors;

namespace IronOrleans.Gateway.Services;

/// <summary>Reads the objects of a page of names.</summary>
internal static class Listing
{
    /// <summary>
    /// Reads every named object concurrently, in name order. An object deleted between listing and reading is
    /// left out (the listing is not a snapshot).
    /// </summary>
    public static async Task<IReadOnlyList<T>> ReadAllAsync<T>(IReadOnlyList<string> names, Func<string, Task<T>> read)
        where T : class
    {
        var reads = names.Select(async name =>
        {
            try
            {
                return await read(name);
            }
            catch (Exception e) when (DomainErrors.IsNotFound(e))
            {
                return null;
            }
        });
        var results = await Task.WhenAll(reads);
        return [.. results.OfType<T>()];
    }
}
