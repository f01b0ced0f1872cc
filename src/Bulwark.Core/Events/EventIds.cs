namespace Bulwark.Core.Events;

/// <summary>Opaque, time-ordered event ids; they hold no <c>:</c>, so they can be a part of an idempotency key.</summary>
public static class EventIds
{
    public static string New(TimeProvider time) =>
        "evt_" + Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
}
