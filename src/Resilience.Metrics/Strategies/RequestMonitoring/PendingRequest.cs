using System.Diagnostics;

namespace Resilience.Metrics;

/// <summary>What is known of a request before its outcome: when it started, its span, model, format and slot.</summary>
internal record struct PendingRequest(long Start, Activity? Activity)
{
    public string? Model { get; set; }

    public ApiFormat Format { get; set; }

    /// <summary>The response is not read for a model or tokens (S3; an unknown API and no model named).</summary>
    public bool SkipResponse { get; set; }

    /// <summary>The request holds a queue slot, to give back when it ends.</summary>
    public bool HoldsSlot { get; set; }

    /// <summary>The retry number the client (an SDK) put on the request; 0 for a first attempt.</summary>
    public int ClientRetryNumber { get; set; }
}
