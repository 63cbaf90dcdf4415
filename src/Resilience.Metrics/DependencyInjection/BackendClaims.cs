namespace Resilience.Metrics;

/// <summary>
/// Which monitored HttpClient uses which backend name, with the settings the collector keeps per backend. Two
/// clients may share a backend (their figures add up) only with the same settings: otherwise one client's settings
/// would silently replace the other's. One per service provider; filled as options are validated at start-up.
/// </summary>
internal sealed class BackendClaims
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Claimed> _claims = new(StringComparer.Ordinal);
    private readonly HashSet<string> _validClients = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="client"/>'s options were valid once: from then on a bad value is a rejected reload.</summary>
    public bool WasValid(string client)
    {
        lock (_lock)
        {
            return _validClients.Contains(client);
        }
    }

    public void MarkValid(string client)
    {
        lock (_lock)
        {
            _validClients.Add(client);
        }
    }

    /// <summary>Claims <paramref name="backend"/> for <paramref name="client"/>; the problem when another client holds it with other settings.</summary>
    public string? Claim(string backend, string client, BackendRegistration settings)
    {
        lock (_lock)
        {
            if (_claims.TryGetValue(backend, out var held) && held.Clients.FirstOrDefault(c => c != client) is { } other)
            {
                var differences = Differences(held.Settings, settings);
                if (differences.Count > 0)
                {
                    return $"ApiMonitoringOptions.BackendName \"{backend}\" is used by clients \"{other}\" and \"{client}\" with different "
                        + $"{string.Join(", ", differences)}: give each client its own BackendName, or the same settings.";
                }
            }

            // A client that reloaded onto another backend name lets go of the one it had.
            foreach (var (name, claimed) in _claims.Where(c => c.Key != backend && c.Value.Clients.Contains(client)).ToList())
            {
                claimed.Clients.Remove(client);
                if (claimed.Clients.Count == 0)
                {
                    _claims.Remove(name);
                }
            }

            if (held is null)
            {
                _claims[backend] = held = new Claimed(settings);
            }
            else if (held.Clients.All(c => c == client))
            {
                held.Settings = settings;   // alone on it: its reloaded settings are the backend's
            }

            held.Clients.Add(client);
            return null;
        }
    }

    private static List<string> Differences(BackendRegistration a, BackendRegistration b)
    {
        var differences = new List<string>();
        if (a.MetricsWindowSize != b.MetricsWindowSize)
        {
            differences.Add("MetricsWindowSize");
        }

        if (a.MetricsResetInterval != b.MetricsResetInterval)
        {
            differences.Add("MetricsResetInterval");
        }

        if (a.DetailedLatency != b.DetailedLatency)
        {
            differences.Add("DetailedLatency");
        }

        if (!a.LatencyPercentiles.SequenceEqual(b.LatencyPercentiles))
        {
            differences.Add("LatencyPercentiles");
        }

        if (a.FailureThreshold != b.FailureThreshold)
        {
            differences.Add("CircuitBreaker.FailureThreshold");
        }

        if (a.GenAiProviderName != b.GenAiProviderName || a.GenAiOperationName != b.GenAiOperationName)
        {
            differences.Add("ApiFormat");
        }

        if (!SamePricing(a.Pricing, b.Pricing))
        {
            differences.Add("Pricing");
        }

        return differences;
    }

    private static bool SamePricing(IReadOnlyDictionary<string, ModelPrice>? a, IReadOnlyDictionary<string, ModelPrice>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        foreach (var (model, price) in a ?? new Dictionary<string, ModelPrice>())
        {
            if (!b!.TryGetValue(model, out var other) || !price.SamePrices(other))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Claimed(BackendRegistration settings)
    {
        public BackendRegistration Settings { get; set; } = settings;

        public HashSet<string> Clients { get; } = new(StringComparer.Ordinal);
    }
}
