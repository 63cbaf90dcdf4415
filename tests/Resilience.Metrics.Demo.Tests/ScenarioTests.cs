using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.Demo.Tests;

public sealed class ScenarioTests
{
    [Fact]
    public void The_steps_are_in_time_order_within_one_cycle()
    {
        Assert.Equal(Scenario.Steps.OrderBy(s => s.From), Scenario.Steps);
        Assert.All(Scenario.Steps, s => Assert.True(s.From <= s.To && s.To <= Scenario.Cycle, s.Description));
    }

    [Fact]
    public void The_script_has_every_kind_of_fault_the_demo_promises()
    {
        Assert.Contains(Scenario.Steps, s => s.Fault is { Kind: SimulatedFaultKind.Status, StatusCode: 429, RetryAfter: not null });
        Assert.Contains(Scenario.Steps, s => s.ClientFault == ClientFault.MissingCredentials);
        Assert.Contains(Scenario.Steps, s => s.ClientFault == ClientFault.InvalidBody);
        Assert.Contains(Scenario.Steps, s => s.Fault is { Kind: SimulatedFaultKind.ResetConnection });
        Assert.Contains(Scenario.Steps, s => s.Fault is { Kind: SimulatedFaultKind.Delay } delay
            && delay.Duration > DemoBackend.Of(s.Api).AttemptTimeout);
    }

    [Fact]
    public void An_outage_lasts_long_enough_to_open_the_circuit_probe_it_and_recover_within_the_first_30_seconds()
    {
        var options = new ApiMonitoringOptions();
        DemoBackend.Of(SimulatedApi.Anthropic).Configure(options);

        var outage = Assert.Single(Scenario.Steps, s => s.Api == SimulatedApi.Anthropic && s.Fault is { Kind: SimulatedFaultKind.Status, StatusCode: >= 500 });

        Assert.Equal(1, outage.Probability);
        Assert.True(outage.To - outage.From > options.CircuitBreaker.SamplingDuration + (2 * options.CircuitBreaker.ResetTimeout));
        Assert.True(outage.To + options.CircuitBreaker.ResetTimeout < TimeSpan.FromSeconds(DemoOptions.DefaultDurationSeconds));
    }

    [Fact]
    public void Every_api_has_a_fault_plan_and_a_backend_with_its_own_latency()
    {
        foreach (var api in Enum.GetValues<SimulatedApi>())
        {
            Assert.NotNull(Scenario.PlanFor(api, cycle: 0));
            Assert.Equal(api, DemoBackend.Of(api).Api);
        }

        Assert.True(DemoBackend.Of(SimulatedApi.Groq).Median < DemoBackend.Of(SimulatedApi.OpenAI).Median);
        Assert.True(DemoBackend.Of(SimulatedApi.OpenAI).Median < DemoBackend.Of(SimulatedApi.Anthropic).Median);
        Assert.True(DemoBackend.Of(SimulatedApi.HuggingFaceTei).Median < DemoBackend.Of(SimulatedApi.Groq).Median);
    }
}
