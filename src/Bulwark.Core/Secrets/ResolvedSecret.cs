namespace Bulwark.Core.Secrets;

/// <summary>One secret as resolved for one launch. Not a record: printing it must never show <see cref="Value"/>.</summary>
public sealed class ResolvedSecret(SecretPath path, string value)
{
    public SecretPath Path { get; } = path;

    public string Value { get; } = value;

    public override string ToString() => Path.ToString();
}
