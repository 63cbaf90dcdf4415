namespace Resilience.Metrics;

/// <summary>
/// A backend's price table, immutable: a copy of the options' <c>Pricing</c> taken when the backend registers, so a
/// later change to the options' objects never changes figures already reported. A model name matches exactly, else
/// by the longest configured name it begins with (<c>gpt-4o-2024-08-06</c> finds <c>gpt-4o</c>).
/// </summary>
internal sealed class PriceTable
{
    private readonly Dictionary<string, ModelRate> _exact;

    // Longest first, so the first prefix that matches is the longest.
    private readonly KeyValuePair<string, ModelRate>[] _byLength;

    private PriceTable(Dictionary<string, ModelRate> exact)
    {
        _exact = exact;
        _byLength = [.. exact.OrderByDescending(p => p.Key.Length).ThenBy(p => p.Key, StringComparer.Ordinal)];
    }

    /// <summary>The table of <paramref name="pricing"/>, or null when there is none (then no cost figures at all).</summary>
    public static PriceTable? From(IReadOnlyDictionary<string, ModelPrice>? pricing)
    {
        if (pricing is null || pricing.Count == 0)
        {
            return null;
        }

        var exact = new Dictionary<string, ModelRate>(pricing.Count, StringComparer.Ordinal);
        foreach (var (model, price) in pricing)
        {
            if (!string.IsNullOrEmpty(model) && price is not null)
            {
                exact[model] = ModelRate.From(price);
            }
        }

        return exact.Count == 0 ? null : new PriceTable(exact);
    }

    /// <summary>The rate of <paramref name="stats"/>' model, matched once per model and table (the match is cached on the model).</summary>
    public ModelRate? Match(ModelStats stats)
    {
        var match = stats.Price;
        if (match is null || !ReferenceEquals(match.Table, this))
        {
            match = new PriceMatch(this, Find(stats.Name));
            stats.Price = match;
        }

        return match.Rate;
    }

    /// <summary>The rate of <paramref name="model"/>, or null when no configured name matches it.</summary>
    public ModelRate? Find(string model)
    {
        // The overflow entry mixes models past the cap: no single price is right for it.
        if (model == BoundedCounterMap.OverflowKey)
        {
            return null;
        }

        if (_exact.TryGetValue(model, out var rate))
        {
            return rate;
        }

        foreach (var (prefix, prefixRate) in _byLength)
        {
            if (model.StartsWith(prefix, StringComparison.Ordinal))
            {
                return prefixRate;
            }
        }

        return null;
    }
}
