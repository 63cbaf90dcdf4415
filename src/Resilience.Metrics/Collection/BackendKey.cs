namespace Resilience.Metrics;

/// <summary>
/// A registered backend, as <see cref="IMetricsCollector.RegisterBackend(string)"/> returns it. Strategies take it once,
/// when their pipeline is built, and put it in every event, so the hot path never looks a backend up by name.
/// </summary>
public readonly record struct BackendKey
{
    /// <summary>A key by name alone, for a collector of an application's own to return from <c>RegisterBackend</c>.</summary>
    /// <param name="name">The backend's name.</param>
    public BackendKey(string name)
        : this(-1, name)
    {
    }

    /// <summary>The built-in collector's key: the index of the backend's state, and its name (checked by reference).</summary>
    internal BackendKey(int id, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Id = id;
        Name = name;
    }

    /// <summary>The backend's name (the <c>api</c> label in reports).</summary>
    public string Name { get; }

    /// <summary>The built-in collector's index of the backend; -1 in a key made by name.</summary>
    internal int Id { get; }
}
