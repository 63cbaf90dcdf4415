using System.Text.RegularExpressions;

namespace Resilience.Metrics.SdkTests;

/// <summary>The code docs/sdks.md gives users is the code these tests run: quoted there verbatim.</summary>
public sealed partial class SdkDocsTests
{
    [Fact]
    public void The_sdk_guide_quotes_the_marked_retry_policy_verbatim()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Resilience.Metrics.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("The repository root was not found.");
        }

        var source = File.ReadAllText(Path.Combine(root, "tests", "Resilience.Metrics.SdkTests", "MarkedRetryPolicy.cs"));
        var guide = File.ReadAllText(Path.Combine(root, "docs", "sdks.md")).ReplaceLineEndings("\n");
        var example = Example().Match(source.ReplaceLineEndings("\n"));

        Assert.True(example.Success, "MarkedRetryPolicy.cs has no example region");
        Assert.Contains("```csharp\n" + example.Groups["code"].Value + "\n```", guide, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"// example: marked-retry-policy\n(?<code>.*?)\n// end", RegexOptions.Singleline)]
    private static partial Regex Example();
}
