using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Resilience.Metrics.Tests.Support;

namespace Resilience.Metrics.Tests.Architecture;

/// <summary>
/// The house rules for the two libraries' files: one top-level type per file, the file named after it (a partial type's
/// parts as <c>Type.Part.cs</c>), and no file over 400 lines, so a type is found by its name and read in one sitting.
/// </summary>
public sealed class FileLayoutTests
{
    private const int MaxLines = 400;

    public static TheoryData<string> Libraries => new() { "Resilience.Metrics", "Resilience.Metrics.AspNetCore" };

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Each_file_holds_one_type_named_as_the_file(string library)
    {
        var offenders = new List<string>();
        foreach (var file in SourceFiles(library))
        {
            var types = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetCompilationUnitRoot()
                .DescendantNodes(node => node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax)
                .OfType<MemberDeclarationSyntax>()
                .Where(member => member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax)
                .Select(Name)
                .ToList();
            var expected = Path.GetFileName(file).Split('.')[0];
            if (types.Count != 1 || types[0] != expected)
            {
                offenders.Add($"{Path.GetRelativePath(RepositoryRoot.Path, file)}: {string.Join(", ", types)}");
            }
        }

        Assert.True(offenders.Count == 0, "Files that are not one type of their own name:\n" + string.Join('\n', offenders));
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void No_file_is_over_400_lines(string library)
    {
        var offenders = SourceFiles(library)
            .Select(file => (file, lines: File.ReadLines(file).Count()))
            .Where(f => f.lines > MaxLines)
            .Select(f => $"{Path.GetRelativePath(RepositoryRoot.Path, f.file)}: {f.lines} lines")
            .ToList();

        Assert.True(offenders.Count == 0, "Files over 400 lines:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void The_scan_finds_the_types_it_checks()
    {
        // A scan that found no file would pass both rules.
        Assert.Contains(SourceFiles("Resilience.Metrics"), f => f.EndsWith($"Reporting{Path.DirectorySeparatorChar}MetricsReport.cs", StringComparison.Ordinal));
        Assert.True(SourceFiles("Resilience.Metrics").Count() > 100);
    }

    private static string Name(MemberDeclarationSyntax member) => member switch
    {
        BaseTypeDeclarationSyntax type => type.Identifier.Text,
        DelegateDeclarationSyntax type => type.Identifier.Text,
        _ => throw new ArgumentOutOfRangeException(nameof(member)),
    };

    private static IEnumerable<string> SourceFiles(string library)
    {
        var separator = Path.DirectorySeparatorChar;
        return Directory.EnumerateFiles(RepositoryRoot.Combine("src", library), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal));
    }
}
