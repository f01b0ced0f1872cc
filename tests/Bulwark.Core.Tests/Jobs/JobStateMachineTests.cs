using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;

namespace Bulwark.Core.Tests.Jobs;

// JOB-2: one state machine; an illegal transition is an error, never a silent overwrite.
public sealed class JobStateMachineTests
{
    private const JobState S = JobState.Scheduled, Q = JobState.Queued, R = JobState.Running, Rt = JobState.Retrying,
        Ok = JobState.Succeeded, F = JobState.Failed, C = JobState.Cancelled, D = JobState.Dead;

    /// <summary>
    /// The expected lifecycle, written out here on purpose rather than read from the
    /// implementation, so a change to the real table has to be made twice and deliberately.
    /// Rows are "from", columns "to", in the order S Q R Rt Ok F C D.
    /// </summary>
    private static readonly bool[,] Expected =
    {
        //              S      Q      R      Rt     Ok     F      C      D
        /* S  */ { false, true,  true,  false, false, false, true,  false },
        /* Q  */ { false, false, true,  false, false, false, true,  false },
        /* R  */ { false, true,  false, true,  true,  true,  true,  true  }, // Q: reaper reclaims an expired lease (JOB-3)
        /* Rt */ { false, true,  true,  false, false, false, true,  false },
        /* Ok */ { false, false, false, false, false, false, false, false },
        /* F  */ { false, false, false, false, false, false, false, false },
        /* C  */ { false, false, false, false, false, false, false, false },
        /* D  */ { false, false, false, false, false, false, false, false },
    };

    private static readonly JobState[] Order = [S, Q, R, Rt, Ok, F, C, D];

    public static TheoryData<JobState, JobState, bool> AllPairs()
    {
        var data = new TheoryData<JobState, JobState, bool>();
        for (var i = 0; i < Order.Length; i++)
        {
            for (var j = 0; j < Order.Length; j++)
            {
                data.Add(Order[i], Order[j], Expected[i, j]);
            }
        }

        return data;
    }

    [Fact]
    public void Expected_table_covers_every_state_when_compared_with_the_enum()
    {
        Assert.Equal(Enum.GetValues<JobState>().Order(), Order.Order());
        Assert.Equal(64, AllPairs().Count);
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanTransition_matches_the_expected_table_when_given_any_pair(JobState from, JobState to, bool legal)
    {
        Assert.Equal(legal, JobStateMachine.CanTransition(from, to));
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Transition_returns_the_target_or_throws_when_given_any_pair(JobState from, JobState to, bool legal)
    {
        if (legal)
        {
            Assert.Equal(to, JobStateMachine.Transition(from, to));
        }
        else
        {
            var e = Assert.Throws<IllegalTransitionException>(() => JobStateMachine.Transition(from, to));
            Assert.Equal(from, e.From);
            Assert.Equal(to, e.To);
            Assert.Equal("illegal_transition", e.Code);
            Assert.IsAssignableFrom<ConflictException>(e);
            Assert.Contains($"'{from.ToName()}'", e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(JobState.Succeeded, true)]
    [InlineData(JobState.Failed, true)]
    [InlineData(JobState.Cancelled, true)]
    [InlineData(JobState.Dead, true)]
    [InlineData(JobState.Scheduled, false)]
    [InlineData(JobState.Queued, false)]
    [InlineData(JobState.Running, false)]
    [InlineData(JobState.Retrying, false)]
    public void IsTerminal_is_true_only_when_the_job_has_finished(JobState state, bool terminal)
    {
        Assert.Equal(terminal, JobStateMachine.IsTerminal(state));
    }

    [Theory]
    [InlineData(JobState.Scheduled, true)]
    [InlineData(JobState.Queued, true)]
    [InlineData(JobState.Retrying, true)]
    [InlineData(JobState.Running, false)]
    [InlineData(JobState.Succeeded, false)]
    [InlineData(JobState.Failed, false)]
    [InlineData(JobState.Cancelled, false)]
    [InlineData(JobState.Dead, false)]
    public void IsClaimable_is_true_only_when_the_job_waits_for_a_worker(JobState state, bool claimable)
    {
        // JOB-3, JOB-5: scheduled and retrying jobs are claimable once run_at is due.
        Assert.Equal(claimable, JobStateMachine.IsClaimable(state));
    }

    [Fact]
    public void JobStateNames_round_trip_when_given_every_state()
    {
        foreach (var state in Enum.GetValues<JobState>())
        {
            Assert.Equal(state, JobStateNames.Parse(state.ToName()));
        }

        Assert.False(JobStateNames.TryParse("Queued", out _));
        Assert.Throws<FormatException>(() => JobStateNames.Parse("unknown"));
    }
}
