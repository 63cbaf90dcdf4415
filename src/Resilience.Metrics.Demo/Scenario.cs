using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.Demo;

/// <summary>What the demo does to a request of its own at a scripted moment.</summary>
internal enum ClientFault
{
    /// <summary>Nothing scripted: the server-side fault windows only.</summary>
    None,

    /// <summary>A request without its credential headers (401 / 403).</summary>
    MissingCredentials,

    /// <summary>A request whose JSON body lacks required fields (400).</summary>
    InvalidBody,
}

/// <summary>One scripted moment of the scenario, relative to the start of a cycle.</summary>
/// <param name="From">When it starts.</param>
/// <param name="To">When it ends (equal to <paramref name="From"/> for a single request).</param>
/// <param name="Api">The API it concerns.</param>
/// <param name="Description">What the console prints when it starts.</param>
/// <param name="Fault">The server-side fault of a window, or null for a client-side step.</param>
/// <param name="Probability">The share of the window's requests that meet the fault.</param>
/// <param name="ClientFault">The client-side misbehaviour of a single scripted request.</param>
/// <param name="RateLimitBurst">The share of the backend's rate-limit window another client of its key uses up at once.</param>
internal sealed record ScenarioStep(
    TimeSpan From,
    TimeSpan To,
    SimulatedApi Api,
    string Description,
    SimulatedFault? Fault = null,
    double Probability = 1,
    ClientFault ClientFault = ClientFault.None,
    double? RateLimitBurst = null);

/// <summary>
/// The demo's script, on the simulation's clock and repeated every <see cref="Cycle"/>: background faults at
/// low rates all the time, plus rate-limit bursts, an authentication failure, invalid requests, an outage that
/// opens a circuit and lets it recover, slow responses past the attempt timeout and connection resets.
/// </summary>
internal static class Scenario
{
    /// <summary>The length of one pass of the script; a longer run (or <c>--serve</c>) repeats it.</summary>
    public static TimeSpan Cycle { get; } = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>Every step, in time order.</summary>
    public static IReadOnlyList<ScenarioStep> Steps { get; } =
    [
        new(S(3), S(6), SimulatedApi.Groq, "rate-limit burst: 75 % of requests get 429 with Retry-After: 1", SimulatedFault.Status(429, RetryAfter), 0.75),
        new(S(5), S(5), SimulatedApi.OpenAI, "a request without credentials (expect 401 authentication)", ClientFault: ClientFault.MissingCredentials),
        new(S(7), S(7), SimulatedApi.OpenAI, "an invalid request: no model (expect 400 invalid_request)", ClientFault: ClientFault.InvalidBody),
        new(S(8), S(18), SimulatedApi.Anthropic, "outage: 529 Overloaded for 10 s (the circuit opens, probes, recovers)", SimulatedFault.Status(529)),
        new(S(10), S(13), SimulatedApi.OpenAI, "rate-limit burst: 60 % of requests get 429 with Retry-After: 1", SimulatedFault.Status(429, RetryAfter), 0.6),
        new(S(12), S(12), SimulatedApi.Anthropic, "an invalid request: no model (expect 400 invalid_request)", ClientFault: ClientFault.InvalidBody),
        new(S(14), S(14), SimulatedApi.Groq, "rate-limit headroom: another client of the key uses 90 % of this minute's quota (the headers count down near the limit)", RateLimitBurst: 0.9),
        new(S(14), S(14), SimulatedApi.Gemini, "a request without an API key (expect 403 authentication)", ClientFault: ClientFault.MissingCredentials),
        new(S(19), S(24), SimulatedApi.Ollama, "slow responses: half take 6 s, past the 2.5 s attempt timeout", SimulatedFault.Delay(S(6)), 0.5),
        new(S(20), S(24), SimulatedApi.HuggingFaceTgi, "outage: 503 model loading for 4 s", SimulatedFault.Status(503)),
        new(S(21), S(21), SimulatedApi.Ollama, "an invalid request: no model (expect 400 invalid_request)", ClientFault: ClientFault.InvalidBody),
        new(S(23), S(27), SimulatedApi.Llvm, "connection resets: half of the connections are aborted", SimulatedFault.ResetConnection(), 0.5),
        new(S(25), S(25), SimulatedApi.Groq, "an invalid request: no model (expect 400 invalid_request)", ClientFault: ClientFault.InvalidBody),
    ];

    /// <summary>
    /// The fault plan of one simulated API for one cycle: its background faults, then the cycle's windows
    /// (which take precedence). Assigned at the start of every cycle, which restarts the plan's clock.
    /// </summary>
    public static FaultPlan PlanFor(SimulatedApi api, int cycle)
    {
        var seed = 1000 + (cycle * 16) + (int)api;
        var plan = api switch
        {
            SimulatedApi.OpenAI => FaultPlan.Random(seed, rateLimitProbability: 0.01, connectionResetProbability: 0.002, retryAfter: RetryAfter),
            SimulatedApi.Anthropic => FaultPlan.Random(seed, serverErrorProbability: 0.004),
            SimulatedApi.Groq => FaultPlan.Random(seed, rateLimitProbability: 0.01, retryAfter: RetryAfter),
            SimulatedApi.Gemini => FaultPlan.Random(seed, rateLimitProbability: 0.004, serverErrorProbability: 0.003, retryAfter: RetryAfter),
            SimulatedApi.Ollama => FaultPlan.Random(seed, timeoutProbability: 0.003, timeoutDelay: S(6)),
            SimulatedApi.HuggingFaceTgi => FaultPlan.Random(seed, connectionResetProbability: 0.003),
            SimulatedApi.HuggingFaceTei => FaultPlan.Random(seed, connectionResetProbability: 0.002),
            SimulatedApi.Llvm => FaultPlan.Random(seed, serverErrorProbability: 0.004),
            SimulatedApi.Ovms => FaultPlan.Random(seed, serverErrorProbability: 0.003),
            SimulatedApi.Opea => FaultPlan.Random(seed, timeoutProbability: 0.005, timeoutDelay: S(5)),
            _ => FaultPlan.Random(seed, serverErrorProbability: 0.004, connectionResetProbability: 0.002),
        };

        foreach (var step in Steps)
        {
            if (step.Api == api && step.Fault is { } fault)
            {
                plan = plan.Between(step.From, step.To, fault, step.Probability);
            }
        }

        return plan;
    }

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);
}
