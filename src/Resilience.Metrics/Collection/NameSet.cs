namespace Resilience.Metrics;

/// <summary>
/// A few distinct names, kept without a lock: a fixed array filled by compare-and-swap, first come first kept. Adding
/// a name already kept (the common case: the same string every time) is a scan of a handful of references and
/// allocates nothing.
/// </summary>
internal sealed class NameSet(int capacity)
{
    private readonly string?[] _names = new string?[capacity];

    /// <summary>Adds <paramref name="name"/> unless it is kept already or the set is full.</summary>
    public void Add(string name)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            var kept = Volatile.Read(ref _names[i]);
            while (kept is null)
            {
                kept = Interlocked.CompareExchange(ref _names[i], name, null);
                if (kept is null)
                {
                    return;
                }
            }

            if (ReferenceEquals(kept, name) || string.Equals(kept, name, StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    /// <summary>The names kept, in the order they came.</summary>
    public IReadOnlyList<string> ToList()
    {
        var names = new List<string>(_names.Length);
        for (var i = 0; i < _names.Length; i++)
        {
            if (Volatile.Read(ref _names[i]) is { } kept)
            {
                names.Add(kept);
            }
        }

        return names;
    }
}
