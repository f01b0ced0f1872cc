namespace Bulwark.Cli.Doctor;

/// <summary>How one check of <c>bulwark doctor</c> came out; only <see cref="Fail"/> makes a deployment unsafe.</summary>
internal enum CheckStatus
{
    Ok,
    Warn,
    Fail,
}

/// <summary>One line of <c>bulwark doctor</c> (FLAG-3): a stable name and one sentence that never holds a secret's value.</summary>
internal sealed record DoctorCheck(CheckStatus Status, string Name, string Sentence)
{
    public static DoctorCheck Ok(string name, string sentence) => new(CheckStatus.Ok, name, sentence);

    public static DoctorCheck Warn(string name, string sentence) => new(CheckStatus.Warn, name, sentence);

    public static DoctorCheck Fail(string name, string sentence) => new(CheckStatus.Fail, name, sentence);

    public string Line => $"{Status switch { CheckStatus.Ok => "ok", CheckStatus.Warn => "warn", _ => "FAIL" },-4}  {Name}: {Sentence}";
}
