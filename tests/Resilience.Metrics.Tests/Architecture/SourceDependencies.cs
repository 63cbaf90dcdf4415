using System.Collections.Concurrent;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis;
using Resilience.Metrics.Tests.Support;

namespace Resilience.Metrics.Tests.Architecture;

/// <summary>
/// Which folder of the core uses which: the core's sources compiled with Roslyn, every name in them bound to the
/// type it means, and that type's source file giving its folder. Built once per test run (a few seconds).
/// </summary>
internal static class SourceDependencies
{
    private static readonly Lazy<IReadOnlyList<Edge>> LazyEdges = new(Compute);

    /// <summary>One use of a type of folder <see cref="To"/> by a file of folder <see cref="From"/>.</summary>
    public sealed record Edge(string From, string To, string File, string Type);

    public static IReadOnlyList<Edge> Edges => LazyEdges.Value;

    public static string CoreSourceDirectory => RepositoryRoot.Combine("src", "Resilience.Metrics");

    /// <summary>The layer a source file belongs to: its top folder, or <c>Reporting/Formatting</c> for the formatters.</summary>
    public static string LayerOf(string path)
    {
        var relative = Path.GetRelativePath(CoreSourceDirectory, path).Replace('\\', '/');
        var parts = relative.Split('/');
        return parts.Length > 2 && parts[0] == "Reporting" && parts[1] == "Formatting" ? "Reporting/Formatting" : parts[0];
    }

    private static IReadOnlyList<Edge> Compute()
    {
        var files = Directory.EnumerateFiles(CoreSourceDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, f)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText(GlobalUsings, options, "GlobalUsings.g.cs"));

        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => !Path.GetFileNameWithoutExtension(p).Equals("Resilience.Metrics", StringComparison.Ordinal))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => MetadataReference.CreateFromFile(g.First()))
            .ToList();
        var compilation = CSharpCompilation.Create(
            "Resilience.Metrics.Layering",
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var edges = new ConcurrentBag<Edge>();
        Parallel.ForEach(trees.Where(t => t.FilePath.EndsWith(".cs", StringComparison.Ordinal) && File.Exists(t.FilePath)), tree =>
        {
            var model = compilation.GetSemanticModel(tree);
            var from = LayerOf(tree.FilePath);
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var info = model.GetSymbolInfo(name);
                var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                if (TopLevelSourceType(symbol) is not { } type)
                {
                    continue;
                }

                foreach (var declaration in type.DeclaringSyntaxReferences)
                {
                    if (!File.Exists(declaration.SyntaxTree.FilePath))
                    {
                        continue;
                    }

                    var to = LayerOf(declaration.SyntaxTree.FilePath);
                    if (to != from)
                    {
                        edges.Add(new Edge(from, to, Path.GetRelativePath(CoreSourceDirectory, tree.FilePath), type.Name));
                    }
                }
            }
        });
        return [.. edges.Distinct()];
    }

    private static INamedTypeSymbol? TopLevelSourceType(ISymbol? symbol)
    {
        if (symbol is IMethodSymbol { ReducedFrom: { } reduced })
        {
            symbol = reduced;
        }

        var type = symbol as INamedTypeSymbol ?? symbol?.ContainingType;
        while (type?.ContainingType is { } outer)
        {
            type = outer;
        }

        return type is { DeclaringSyntaxReferences.Length: > 0 } ? type.OriginalDefinition : null;
    }

    // The SDK's implicit usings of a library project (ImplicitUsings=enable).
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;
}
