using System.Globalization;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.Demo;

/// <summary>The demo's command line, parsed by hand: <c>--flag value</c> or <c>--flag=value</c>.</summary>
internal sealed record DemoOptions
{
    public const int DefaultDurationSeconds = 30;
    public const double DefaultRps = 40;
    public const int DefaultConcurrency = 32;
    public const int DefaultPort = 5000;
    public const string DefaultOutput = "./monitoring-output";

    /// <summary>How long the load runs; null with <see cref="Serve"/> means until Ctrl+C.</summary>
    public TimeSpan? Duration { get; init; } = TimeSpan.FromSeconds(DefaultDurationSeconds);

    /// <summary>Total target requests per second, over all backends.</summary>
    public double Rps { get; init; } = DefaultRps;

    /// <summary>Most requests the load generator keeps in flight.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>The APIs to drive, in <see cref="SimulatedApi"/> order.</summary>
    public IReadOnlyList<SimulatedApi> Backends { get; init; } = Enum.GetValues<SimulatedApi>();

    /// <summary>The folder the report files go to.</summary>
    public string Output { get; init; } = DefaultOutput;

    /// <summary>Serve <c>/monitoring</c> and the dashboard on 127.0.0.1 until Ctrl+C.</summary>
    public bool Serve { get; init; }

    /// <summary>The port to serve on (0: any free port).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Backends pointed at a real endpoint instead of the simulation.</summary>
    public IReadOnlyDictionary<SimulatedApi, Uri> BackendUrls { get; init; } = new Dictionary<SimulatedApi, Uri>();

    /// <summary>Models that replace a backend's default models.</summary>
    public IReadOnlyDictionary<SimulatedApi, string> Models { get; init; } = new Dictionary<SimulatedApi, string>();

    /// <summary>Print the help and exit.</summary>
    public bool Help { get; init; }

    public static string Usage { get; } = $"""
        Resilience.Metrics demo: simulated LLM and storage API backends on 127.0.0.1, driven through monitored
        HttpClients (AddApiMonitoring), with a live progress line, reports and a dashboard.

        Usage: dotnet run --project src/Resilience.Metrics.Demo -- [flags]

          --duration <seconds>     how long the load runs (default {DefaultDurationSeconds}; with --serve: until Ctrl+C
                                   unless given, then the page keeps serving the final figures)
          --rps <n>                total target requests per second over all backends (default {DefaultRps})
          --concurrency <n>        most requests in flight at once (default {DefaultConcurrency})
          --backends <list>        comma-separated API prefixes (default all):
                                   {string.Join(",", Enum.GetValues<SimulatedApi>().Select(SimulatedBackendServer.PrefixOf))}
          --output <dir>           where report.json, metrics.prom, the grafana-dashboard*.json files go (default {DefaultOutput})
          --serve                  serve /monitoring/* and the live dashboard on http://127.0.0.1:<port>/
          --port <n>               the port for --serve (default {DefaultPort}; 0 picks a free one)
          --backend-url <api>=<url>  send that backend's traffic to a real endpoint instead of the simulation,
                                   e.g. ollama=http://127.0.0.1:11434; its key comes from <API>_API_KEY
                                   (OPENAI_API_KEY, ANTHROPIC_API_KEY, GROQ_API_KEY, GEMINI_API_KEY, ...). Repeatable.
          --model <api>=<name>     the model to ask that backend for, e.g. ollama=qwen2.5:0.5b. Repeatable.
          -h, --help               show this help

        Exit codes: 0 done (Ctrl+C included), 1 could not start (e.g. the port is taken), 2 bad command line.
        """;

    /// <summary>Parses <paramref name="args"/>; on failure returns null and a message for the user.</summary>
    public static DemoOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        var options = new DemoOptions();
        var durationGiven = false;
        var urls = new Dictionary<SimulatedApi, Uri>();
        var models = new Dictionary<SimulatedApi, string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            switch (arg)
            {
                case "-h" or "--help" or "-?":
                    options = options with { Help = true };
                    break;
                case "--serve":
                    options = options with { Serve = true };
                    break;
                case "--duration":
                    if (!TryValue(out var duration) || !TryDouble(duration, out var seconds) || seconds is <= 0 or > 86_400)
                    {
                        return Fail($"--duration needs a number of seconds above 0 (at most 86400); got '{duration}'.", out error);
                    }

                    options = options with { Duration = TimeSpan.FromSeconds(seconds) };
                    durationGiven = true;
                    break;
                case "--rps":
                    if (!TryValue(out var rps) || !TryDouble(rps, out var rate) || rate is <= 0 or > 10_000)
                    {
                        return Fail($"--rps needs a number of requests per second above 0 (at most 10000); got '{rps}'.", out error);
                    }

                    options = options with { Rps = rate };
                    break;
                case "--concurrency":
                    if (!TryValue(out var concurrency) || !int.TryParse(concurrency, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > 1024)
                    {
                        return Fail($"--concurrency needs a whole number from 1 to 1024; got '{concurrency}'.", out error);
                    }

                    options = options with { Concurrency = count };
                    break;
                case "--port":
                    if (!TryValue(out var port) || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 65_535)
                    {
                        return Fail($"--port needs a port number from 0 to 65535; got '{port}'.", out error);
                    }

                    options = options with { Port = number };
                    break;
                case "--output":
                    if (!TryValue(out var output) || string.IsNullOrWhiteSpace(output))
                    {
                        return Fail("--output needs a folder.", out error);
                    }

                    options = options with { Output = output };
                    break;
                case "--backends":
                    if (!TryValue(out var list))
                    {
                        return Fail("--backends needs a comma-separated list of API prefixes.", out error);
                    }

                    var selected = new SortedSet<SimulatedApi>();
                    foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!TryApi(name, out var api))
                        {
                            return Fail($"--backends: unknown API '{name}'; known: {KnownApis}.", out error);
                        }

                        selected.Add(api);
                    }

                    if (selected.Count == 0)
                    {
                        return Fail($"--backends needs at least one of: {KnownApis}.", out error);
                    }

                    options = options with { Backends = [.. selected] };
                    break;
                case "--backend-url":
                    if (!TryValue(out var pair) || !TrySplitPair(pair, out var urlApi, out var text))
                    {
                        return Fail($"--backend-url needs <api>=<url>, e.g. ollama=http://127.0.0.1:11434; got '{pair}'.", out error);
                    }

                    if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                    {
                        return Fail($"--backend-url {SimulatedBackendServer.PrefixOf(urlApi)}: '{text}' is not an http(s) URL.", out error);
                    }

                    urls[urlApi] = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
                    break;
                case "--model":
                    if (!TryValue(out var modelPair) || !TrySplitPair(modelPair, out var modelApi, out var model) || string.IsNullOrWhiteSpace(model))
                    {
                        return Fail($"--model needs <api>=<model>, e.g. ollama=qwen2.5:0.5b; got '{modelPair}'.", out error);
                    }

                    models[modelApi] = model;
                    break;
                default:
                    return Fail($"unknown flag '{args[i]}'.", out error);
            }

            if (inline is not null && arg is "--serve" or "--help")
            {
                return Fail($"{arg} takes no value.", out error);
            }

            bool TryValue(out string value)
            {
                if (inline is not null)
                {
                    value = inline;
                    return true;
                }

                if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    value = args[++i];
                    return true;
                }

                value = "";
                return false;
            }
        }

        if (options.Serve && !durationGiven)
        {
            options = options with { Duration = null };
        }

        return options with { BackendUrls = urls, Models = models };
    }

    /// <summary>Whether <paramref name="api"/> goes to a real endpoint rather than the simulation.</summary>
    public bool IsReal(SimulatedApi api) => BackendUrls.ContainsKey(api);

    private static string KnownApis => string.Join(",", Enum.GetValues<SimulatedApi>().Select(SimulatedBackendServer.PrefixOf));

    private static DemoOptions? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }

    private static bool TryDouble(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static bool TryApi(string name, out SimulatedApi api)
    {
        foreach (var candidate in Enum.GetValues<SimulatedApi>())
        {
            if (string.Equals(SimulatedBackendServer.PrefixOf(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                api = candidate;
                return true;
            }
        }

        api = default;
        return false;
    }

    private static bool TrySplitPair(string pair, out SimulatedApi api, out string value)
    {
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        value = eq > 0 ? pair[(eq + 1)..].Trim() : "";
        api = default;
        return eq > 0 && TryApi(pair[..eq].Trim(), out api) && value.Length > 0;
    }
}
