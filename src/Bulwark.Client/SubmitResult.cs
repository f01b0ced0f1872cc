using System.Text.Json;

namespace Bulwark.Client;

/// <summary>
/// The answer to a submission. <see cref="Job"/> is null for a dry run, whose whole answer is
/// in <see cref="Body"/>.
/// </summary>
public sealed record SubmitResult(SubmitOutcome Outcome, JobView? Job, JsonElement Body);
