using System.Globalization;

namespace Bulwark.Core.Audit;

/// <summary>
/// Recomputes every chain (AUD-2) from the entries in store order (<see cref="AuditEntry.Sequence"/>,
/// every chain interleaved) and finds the first entry that does not belong where it is: edited
/// (its hash no longer matches), removed (a gap), inserted (no valid hash) or moved (out of order).
/// A chain may start after 1 only where one of its own checkpoints records the cut (AUD-3), and
/// must end where the store's chain head says, so entries cut from the end are found too.
/// Read the heads first, feed every entry with <see cref="Add"/>, then call <see cref="Finish"/>:
/// entries appended meanwhile lie past the heads and are verified like the rest.
/// </summary>
public sealed class AuditVerifier(AuditKey key, IReadOnlyCollection<AuditChainHead> heads)
{
    private const int Page = 2000;

    private readonly Dictionary<string, ChainState> _chains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AuditChainHead> _heads = heads.ToDictionary(h => h.Chain, StringComparer.Ordinal);
    private readonly List<AuditBreak> _breaks = [];
    private long _entries;
    private long _unsealed;
    private bool _sealedSeen;

    /// <summary>Verifies every chain of <paramref name="store"/>, reading it a page at a time.</summary>
    public static async Task<AuditVerification> VerifyAsync(Storage.IBulwarkStore store, AuditKey key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        // Heads first: an entry appended while verify reads is then past the head, never missing from it.
        var heads = await store.ListAuditChainHeadsAsync(ct);
        var verifier = new AuditVerifier(key, heads);
        var after = 0L;
        while (true)
        {
            var page = await store.ReadAuditChainsAsync(new AuditChainRead { AfterSeq = after, Limit = Page }, ct);
            foreach (var entry in page)
            {
                verifier.Add(entry);
            }

            if (page.Count < Page)
            {
                return verifier.Finish();
            }

            after = page[^1].Entry.Sequence;
        }
    }

    public void Add(SealedAuditEntry sealedEntry)
    {
        ArgumentNullException.ThrowIfNull(sealedEntry);
        _entries++;
        var (entry, chain, chainSeq, prevHex, hashHex) = sealedEntry;
        if (chain == AuditChain.UnsealedChain)
        {
            // Written before the chain existed: tolerated only before every sealed entry.
            _unsealed++;
            if (_sealedSeen)
            {
                Break(chain, chainSeq, entry.Sequence, "an entry without a seal follows sealed entries");
            }

            return;
        }

        _sealedSeen = true;
        if (!_chains.TryGetValue(chain, out var state))
        {
            state = new ChainState();
            _chains.Add(chain, state);
        }

        state.Entries++;
        if (state.Broken)
        {
            return;
        }

        var prev = TryHex(prevHex);
        var hash = TryHex(hashHex);
        if (prev is not { Length: AuditChain.HashBytes } || hash is not { Length: AuditChain.HashBytes })
        {
            Break(state, chain, chainSeq, entry.Sequence, "its hashes are not 32-byte hex values");
            return;
        }

        if (AuditChain.ChainOf(entry.TenantId) != chain)
        {
            Break(state, chain, chainSeq, entry.Sequence, "it is in another tenant's chain");
            return;
        }

        if (!AuditChain.Verifies(key, entry, chain, chainSeq, prev, hash))
        {
            Break(state, chain, chainSeq, entry.Sequence, "its hash does not match its content (edited, or not written by Bulwark)");
            return;
        }

        if (state.LastHash is null)
        {
            // The first entry present: the start of the chain, or the first one kept after a checkpoint.
            if (chainSeq == 1)
            {
                if (!prev.AsSpan().SequenceEqual(AuditChain.Genesis.Span))
                {
                    Break(state, chain, chainSeq, entry.Sequence, "the first entry of the chain does not point to the chain's start");
                    return;
                }
            }
            else
            {
                state.PendingStart = (chainSeq, entry.Sequence, prevHex);
            }
        }
        else if (chainSeq != state.LastSeq + 1)
        {
            Break(state, chain, chainSeq, entry.Sequence,
                $"it is number {chainSeq} but follows number {state.LastSeq} (entries removed, inserted or reordered)");
            return;
        }
        else if (!prev.AsSpan().SequenceEqual(state.LastHash))
        {
            Break(state, chain, chainSeq, entry.Sequence, "it does not point to the entry before it");
            return;
        }

        if (AuditCheckpoint.Of(entry) is { } checkpoint && state.PendingStart is { } start
            && checkpoint.ThroughChainSeq == start.ChainSeq - 1
            && string.Equals(checkpoint.ThroughHash, start.PrevHash, StringComparison.OrdinalIgnoreCase))
        {
            state.PendingStart = null;
        }

        if (_heads.TryGetValue(chain, out var head) && head.LastSeq == chainSeq)
        {
            state.HeadMatched = string.Equals(hashHex, head.LastHash, StringComparison.OrdinalIgnoreCase);
        }

        state.LastSeq = chainSeq;
        state.LastHash = hash;
    }

    /// <summary>The outcome, given what the store recorded as each chain's last entry.</summary>
    public AuditVerification Finish()
    {
        foreach (var (chain, state) in _chains)
        {
            if (!state.Broken && state.PendingStart is { } start)
            {
                Break(state, chain, start.ChainSeq, start.Seq,
                    $"the chain starts at number {start.ChainSeq} but no checkpoint of it records the removal of the entries before");
            }
        }

        foreach (var head in _heads.Values)
        {
            if (!_chains.TryGetValue(head.Chain, out var state))
            {
                if (head.LastSeq > 0)
                {
                    Break(head.Chain, head.LastSeq, null, $"all {head.LastSeq} entries of the chain are missing");
                }

                continue;
            }

            if (state.Broken)
            {
                continue;
            }

            if (head.LastSeq > state.LastSeq)
            {
                Break(state, head.Chain, state.LastSeq + 1, null,
                    $"entries {state.LastSeq + 1} to {head.LastSeq} are missing from the end of the chain");
            }
            else if (!state.HeadMatched)
            {
                Break(state, head.Chain, head.LastSeq, null, "the entry the chain's head records is not in the chain");
            }
        }

        var first = _breaks.OrderBy(b => b.Seq ?? long.MaxValue).ThenBy(b => b.Chain, StringComparer.Ordinal).FirstOrDefault();
        return new AuditVerification(_entries, _chains.Count, _unsealed, first);
    }

    private void Break(ChainState state, string chain, long chainSeq, long? seq, string reason)
    {
        state.Broken = true;
        Break(chain, chainSeq, seq, reason);
    }

    private void Break(string chain, long chainSeq, long? seq, string reason) =>
        _breaks.Add(new AuditBreak(chain, chainSeq, seq, reason));

    private static byte[]? TryHex(string text)
    {
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private sealed class ChainState
    {
        public long Entries;
        public long LastSeq;
        public byte[]? LastHash;
        public bool Broken;
        public bool HeadMatched;
        public (long ChainSeq, long Seq, string PrevHash)? PendingStart;
    }
}

/// <summary>The first entry that breaks a chain; <see cref="Seq"/> is null when the entry is missing altogether.</summary>
public sealed record AuditBreak(string Chain, long ChainSeq, long? Seq, string Reason)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"chain {Chain} entry {ChainSeq} ({(Seq is { } s ? "seq " + s : "missing")}): {Reason}");
}

/// <summary>What verify found: counts, and the first break (null when every chain is whole).</summary>
public sealed record AuditVerification(long Entries, int Chains, long Unsealed, AuditBreak? FirstBreak)
{
    public bool Whole => FirstBreak is null;
}
