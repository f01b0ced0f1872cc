namespace Bulwark.Client;

/// <summary>One event of a text/event-stream: its id (if any), its name (<c>message</c> when unnamed) and its data.</summary>
internal sealed record ServerSentEvent(string? Id, string Name, string Data);
