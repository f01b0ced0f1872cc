using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bulwark.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Bulwark.Core.Templates;

/// <summary>
/// Turns one YAML document into JSON so that YAML and JSON templates are read by the same
/// code. Plain scalars are typed as in the YAML 1.2 core schema (ints, floats, booleans,
/// null); quoted scalars stay strings, so <c>"123"</c> is never a number.
/// </summary>
internal static partial class YamlJson
{
    /// <summary>
    /// Aliases let a few lines expand into a huge tree ("billion laughs"); no template needs
    /// anywhere near this many values.
    /// </summary>
    private const int MaxNodes = 20_000;

    private const string StrTag = "tag:yaml.org,2002:str";

    public static byte[] ToJsonUtf8(string yaml, int maxDepth)
    {
        // The representation model loads recursively; check the nesting first with the
        // streaming parser so that "[[[[…" cannot exhaust the stack.
        CheckNesting(yaml, maxDepth);

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InvalidPayloadException(Describe(e));
        }

        if (stream.Documents.Count != 1)
        {
            throw new InvalidPayloadException("The template must be exactly one YAML document.");
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var budget = MaxNodes;
            Write(writer, stream.Documents[0].RootNode, "", 1, maxDepth, ref budget);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void CheckNesting(string yaml, int maxDepth)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case MappingStart or SequenceStart:
                        if (++depth > maxDepth)
                        {
                            throw new InvalidPayloadException($"The template is nested deeper than {maxDepth} levels.");
                        }

                        break;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            throw new InvalidPayloadException(Describe(e));
        }
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node, string path, int depth, int maxDepth, ref int budget)
    {
        if (--budget < 0)
        {
            throw new InvalidPayloadException($"The template has more than {MaxNodes} values.");
        }

        switch (node)
        {
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            case YamlSequenceNode sequence:
                CheckDepth(depth, maxDepth);
                writer.WriteStartArray();
                var index = 0;
                foreach (var item in sequence.Children)
                {
                    Write(writer, item, $"{path}[{index++}]", depth + 1, maxDepth, ref budget);
                }

                writer.WriteEndArray();
                break;
            case YamlMappingNode mapping:
                CheckDepth(depth, maxDepth);
                writer.WriteStartObject();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (keyNode, value) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw new InvalidPayloadException($"{Name(path)} has a key that is not a plain value.");
                    }

                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    if (!seen.Add(key))
                    {
                        throw new InvalidPayloadException($"{Validation.JsonProblems.Shown(childPath)} appears more than once.");
                    }

                    writer.WritePropertyName(key);
                    Write(writer, value, childPath, depth + 1, maxDepth, ref budget);
                }

                writer.WriteEndObject();
                break;
            default:
                throw new InvalidPayloadException($"{Name(path)} is not a YAML value that JSON can hold.");
        }
    }

    private static void CheckDepth(int depth, int maxDepth)
    {
        if (depth > maxDepth)
        {
            throw new InvalidPayloadException($"The template is nested deeper than {maxDepth} levels.");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StrTag))
        {
            writer.WriteStringValue(value);
            return;
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                writer.WriteNullValue();
                return;
            case "true" or "True" or "TRUE":
                writer.WriteBooleanValue(true);
                return;
            case "false" or "False" or "FALSE":
                writer.WriteBooleanValue(false);
                return;
        }

        if (IntPattern().IsMatch(value))
        {
            if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
            {
                writer.WriteNumberValue(whole);
            }
            else
            {
                writer.WriteNumberValue(double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture));
            }

            return;
        }

        if (value.StartsWith("0x", StringComparison.Ordinal) && HexPattern().IsMatch(value)
            && long.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) && hex >= 0)
        {
            writer.WriteNumberValue(hex);
            return;
        }

        if (FloatPattern().IsMatch(value)
            && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)
            && double.IsFinite(real))
        {
            writer.WriteNumberValue(real);
            return;
        }

        // Everything else, including .inf and .nan which JSON cannot represent, stays text.
        writer.WriteStringValue(value);
    }

    private static string Name(string path) => path.Length == 0 ? "The template" : Validation.JsonProblems.Shown(path);

    private static string Describe(YamlException e)
    {
        // YamlDotNet prefixes "(Line: …) - (Line: …): "; keep the reason, say the place once.
        var message = e.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        var reason = (cut >= 0 ? message[(cut + 3)..] : message).Trim().TrimEnd('.');
        return $"The template is not valid YAML (line {e.Start.Line}, column {e.Start.Column}: {reason}).";
    }

    [GeneratedRegex(@"^[-+]?[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^0x[0-9a-fA-F]{1,15}\z", RegexOptions.CultureInvariant)]
    private static partial Regex HexPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
