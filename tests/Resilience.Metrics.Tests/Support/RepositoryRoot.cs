namespace Resilience.Metrics.Tests.Support;

/// <summary>
/// The repository's root, found above the test binaries. Tests must not use <c>[CallerFilePath]</c>
/// for this: a CI build (<c>ContinuousIntegrationBuild</c>) maps source paths to <c>/_/</c>.
/// </summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    /// <summary>A path below the root, given by its segments.</summary>
    public static string Combine(params string[] segments) => System.IO.Path.Combine([Path, .. segments]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Resilience.Metrics.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Resilience.Metrics.sln) was not found above " + AppContext.BaseDirectory);
    }
}
