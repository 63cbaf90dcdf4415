namespace Resilience.Metrics.Tests.Architecture;

public sealed class LayeringTests
{
    [Fact]
    public void Print_matrix()
    {
        foreach (var group in SourceDependencies.Edges.GroupBy(e => (e.From, e.To)).OrderBy(g => g.Key.From).ThenBy(g => g.Key.To))
        {
            File.AppendAllText("/tmp/matrix.txt", "\n" + $"{group.Key.From} -> {group.Key.To}: {string.Join(", ", group.Select(e => $"{e.Type}@{Path.GetFileName(e.File)}").Distinct().Take(12))}");
        }
    }
}
