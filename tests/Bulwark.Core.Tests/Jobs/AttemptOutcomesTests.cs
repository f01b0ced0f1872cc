using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;

namespace Bulwark.Core.Tests.Jobs;

// JOB-4: success ends the job; retryable failures back off while attempts remain, then
// dead-letter with the last error kept; permanent failures fail at once; cancellation.
public sealed class AttemptOutcomesTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly RetryPolicy Retry = new(3, 2, 300);

    private static ClaimedJob Claimed(int attempts, int maxAttempts)
    {
        var template = new JobTemplate("tpl_1", null, 1, Now, new TemplateDefinition { Key = "t", Kind = TemplateKind.Script, Command = ["x"] });
        var job = new Job
        {
            Id = "job_1",
            TenantId = "ten_1",
            TemplateKey = "t",
            TemplateVersion = 1,
            State = JobState.Running,
            Attempts = attempts,
            MaxAttempts = maxAttempts,
            Priority = 0,
            InputsJson = "{}",
            RunAt = Now,
            CreatedAt = Now,
        };
        return new ClaimedJob(job, new Lease("job_1", attempts, "lease"), Now.AddMinutes(1), template);
    }

    private static AttemptResult Result(AttemptResultKind kind) => new()
    {
        Kind = kind,
        ResultJson = kind == AttemptResultKind.Succeeded ? """{"ok":true}""" : null,
        Error = kind == AttemptResultKind.Succeeded ? null : "exit code 3",
        ErrorCode = kind == AttemptResultKind.Succeeded ? null : "exit_code",
        ExitCode = kind == AttemptResultKind.Succeeded ? 0 : 3,
        Stdout = "out",
        Stderr = "err",
    };

    [Fact]
    public void Decide_succeeds_and_keeps_the_result_when_the_attempt_succeeded()
    {
        var c = AttemptOutcomes.Decide(Claimed(1, 3), Result(AttemptResultKind.Succeeded), Retry, Now, 0.5);

        Assert.Equal(JobState.Succeeded, c.NextState);
        Assert.Equal("""{"ok":true}""", c.ResultJson);
        Assert.Null(c.RetryAt);
        Assert.Equal(0, c.ExitCode);
        Assert.Equal("out", c.Stdout);
        Assert.Equal("err", c.Stderr);
    }

    [Theory]
    [InlineData(1, 0.0, 1.0)]
    [InlineData(2, 0.0, 2.0)]
    [InlineData(2, 0.5, 3.0)]
    public void Decide_retries_at_now_plus_the_backoff_when_attempts_remain(int attempt, double random, double seconds)
    {
        var c = AttemptOutcomes.Decide(Claimed(attempt, 3), Result(AttemptResultKind.RetryableFailure), Retry, Now, random);

        Assert.Equal(JobState.Retrying, c.NextState);
        Assert.Equal(Now + Retry.DelayAfter(attempt, random), c.RetryAt);
        Assert.Equal(Now.AddSeconds(seconds), c.RetryAt);
        Assert.Equal("exit code 3", c.Error);
    }

    [Fact]
    public void Decide_dead_letters_and_keeps_the_error_when_the_last_attempt_failed()
    {
        var c = AttemptOutcomes.Decide(Claimed(3, 3), Result(AttemptResultKind.RetryableFailure), Retry, Now, 0.5);

        Assert.Equal(JobState.Dead, c.NextState);
        Assert.Null(c.RetryAt);
        Assert.Equal("exit code 3", c.Error);
        Assert.Equal("exit_code", c.ErrorCode);
        Assert.Equal(3, c.ExitCode);
    }

    [Fact]
    public void Decide_fails_at_once_when_the_failure_is_permanent_even_with_attempts_left()
    {
        var c = AttemptOutcomes.Decide(Claimed(1, 3), Result(AttemptResultKind.PermanentFailure), Retry, Now, 0.5);

        Assert.Equal(JobState.Failed, c.NextState);
        Assert.Null(c.RetryAt);
        Assert.Equal("exit code 3", c.Error);
    }

    [Fact]
    public void Decide_cancels_when_the_attempt_was_cancelled()
    {
        var c = AttemptOutcomes.Decide(Claimed(1, 3), Result(AttemptResultKind.Cancelled), Retry, Now, 0.5);

        Assert.Equal(JobState.Cancelled, c.NextState);
        Assert.Null(c.RetryAt);
    }

    [Theory]
    [InlineData(AttemptResultKind.Succeeded)]
    [InlineData(AttemptResultKind.RetryableFailure)]
    [InlineData(AttemptResultKind.PermanentFailure)]
    [InlineData(AttemptResultKind.Cancelled)]
    public void Decide_always_picks_a_state_running_may_move_to_when_given_any_outcome(AttemptResultKind kind)
    {
        // JOB-2: the decision is only useful if the store will accept it.
        foreach (var attempt in new[] { 1, 2, 3 })
        {
            var c = AttemptOutcomes.Decide(Claimed(attempt, 3), Result(kind), Retry, Now, 0.25);
            Assert.True(JobStateMachine.CanTransition(JobState.Running, c.NextState));
        }
    }

    [Fact]
    public void Decide_refuses_an_unknown_outcome_when_given_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            AttemptOutcomes.Decide(Claimed(1, 3), Result((AttemptResultKind)42), Retry, Now, 0.5));
    }
}
