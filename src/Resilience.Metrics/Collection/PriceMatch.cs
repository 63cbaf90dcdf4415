namespace Resilience.Metrics;

/// <summary>A model's match in a price table, cached on the model so a report matches each name once per table.</summary>
internal sealed record PriceMatch(PriceTable Table, ModelRate? Rate);
