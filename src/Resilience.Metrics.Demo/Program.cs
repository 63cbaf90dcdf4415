using System.Runtime.InteropServices;
using Resilience.Metrics.Demo;

// Ctrl+C (SIGINT) and SIGTERM stop the load; the demo still prints its reports and writes its files, then exits 0.
// A second Ctrl+C ends the process at once.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    if (!stop.IsCancellationRequested)
    {
        context.Cancel = true;
        stop.Cancel();
    }
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return await DemoProgram.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected, stop.Token);
