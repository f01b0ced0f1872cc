namespace Bulwark.Server.Worker;

/// <summary>The answer of <c>POST /worker/v1/claim</c>.</summary>
internal sealed record ClaimView(IReadOnlyList<ClaimedJobView> Jobs);
