using System.Diagnostics;

namespace Resilience.Metrics.Testing;

/// <summary>
/// Finds and runs the external tools some tests use (CI installs them; locally they may be missing). One file, linked
/// into each test project that needs it.
/// </summary>
internal static class ExternalTools
{
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// The tool's path; skips the test when it is not installed, or fails it when <c>RESILIENCE_METRICS_REQUIRE_TOOLS</c>
    /// is <c>1</c> (set by <c>.ci/run</c>, which installs the tools: there a missing tool must not pass unnoticed).
    /// </summary>
    public static string Require(string name)
    {
        var found = Find(name);
        if (found is null)
        {
            Missing($"{name} is not installed (CI installs it: apt-get install prometheus chromium)");
        }

        return found!;
    }

    /// <summary>A tool the test needs is missing: skips it, or fails it where the tools must be there (see <see cref="Require"/>).</summary>
    public static void Missing(string message)
    {
        if (Environment.GetEnvironmentVariable("RESILIENCE_METRICS_REQUIRE_TOOLS") == "1")
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string? stdin = null)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
