using System.Globalization;
using System.Text;
using NJsonSchema.Validation;

namespace Bulwark.Core.Templates;

/// <summary>
/// Turns NJsonSchema's validation errors into one sentence a submitter can act on:
/// "inputs.name: string is longer than 64." rather than an error kind and a JSON pointer.
/// </summary>
internal static class InputsErrors
{
    public static string Describe(ValidationError error)
    {
        // Errors about a sub-schema (array items, additional properties) carry the real cause inside.
        while (error is ChildSchemaValidationError child
               && error.Kind is ValidationErrorKind.ArrayItemNotValid or ValidationErrorKind.AdditionalItemNotValid
                   or ValidationErrorKind.AdditionalPropertiesNotValid
               && child.Errors.Values.SelectMany(e => e).FirstOrDefault() is { } inner)
        {
            error = inner;
        }

        return $"{PathOf(error)}: {What(error)}";
    }

    private static string PathOf(ValidationError error)
    {
        var path = error.Path ?? "#";
        var rest = path.StartsWith("#/", StringComparison.Ordinal) ? path[2..] : path.TrimStart('#');
        if (rest.Length == 0)
        {
            return "inputs";
        }

        var shown = rest.Length <= 200 ? rest : string.Concat(rest.AsSpan(0, 197), "...");
        return shown.StartsWith('[') ? "inputs" + shown : "inputs." + shown;
    }

    private static string What(ValidationError error)
    {
        var s = error.Schema;
        var c = CultureInfo.InvariantCulture;
        return error.Kind switch
        {
            ValidationErrorKind.PropertyRequired => "is required.",
            ValidationErrorKind.StringExpected => "must be a string.",
            ValidationErrorKind.NumberExpected => "must be a number.",
            ValidationErrorKind.IntegerExpected => "must be an integer.",
            ValidationErrorKind.BooleanExpected => "must be true or false.",
            ValidationErrorKind.ObjectExpected => "must be an object.",
            ValidationErrorKind.ArrayExpected => "must be an array.",
            ValidationErrorKind.NullExpected => "must be null.",
            ValidationErrorKind.NoTypeValidates => "has a type the schema does not allow.",
            ValidationErrorKind.StringTooLong => s?.MaxLength is { } max ? $"string is longer than {max.ToString(c)}." : "string is too long.",
            ValidationErrorKind.StringTooShort => s?.MinLength is { } min ? $"string is shorter than {min.ToString(c)}." : "string is too short.",
            ValidationErrorKind.PatternMismatch => s?.Pattern is { } pattern ? $"string does not match the pattern {pattern}." : "string does not match the pattern.",
            ValidationErrorKind.NumberTooBig or ValidationErrorKind.IntegerTooBig =>
                s?.Maximum is { } maximum ? $"must be at most {maximum.ToString(c)}." : "is too big.",
            ValidationErrorKind.NumberTooSmall =>
                s?.Minimum is { } minimum ? $"must be at least {minimum.ToString(c)}." : "is too small.",
            ValidationErrorKind.NumberNotMultipleOf or ValidationErrorKind.IntegerNotMultipleOf =>
                s?.MultipleOf is { } multiple ? $"must be a multiple of {multiple.ToString(c)}." : "is not an allowed multiple.",
            ValidationErrorKind.TooManyItems => s?.MaxItems is { } maxItems ? $"has more than {maxItems.ToString(c)} items." : "has too many items.",
            ValidationErrorKind.TooFewItems => s?.MinItems is { } minItems ? $"has fewer than {minItems.ToString(c)} items." : "has too few items.",
            ValidationErrorKind.ItemsNotUnique => "has duplicate items.",
            ValidationErrorKind.TooManyItemsInTuple => "has more items than the schema lists.",
            ValidationErrorKind.TooManyProperties => s?.MaxProperties is { } maxProps ? $"has more than {maxProps.ToString(c)} properties." : "has too many properties.",
            ValidationErrorKind.TooFewProperties => s?.MinProperties is { } minProps ? $"has fewer than {minProps.ToString(c)} properties." : "has too few properties.",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => "is not a property the schema allows.",
            ValidationErrorKind.NotInEnumeration => "is not one of the allowed values.",
            ValidationErrorKind.NotAnyOf => "does not match any of the allowed schemas.",
            ValidationErrorKind.NotOneOf => "does not match exactly one of the allowed schemas.",
            ValidationErrorKind.NotAllOf => "does not match all of the required schemas.",
            ValidationErrorKind.ExcludedSchemaValidates => "matches a schema it must not match.",
            ValidationErrorKind.DateTimeExpected => "must be a date-time (RFC 3339).",
            ValidationErrorKind.DateExpected => "must be a date.",
            ValidationErrorKind.TimeExpected => "must be a time.",
            ValidationErrorKind.TimeSpanExpected => "must be a time span.",
            ValidationErrorKind.UriExpected => "must be a URI.",
            ValidationErrorKind.IpV4Expected => "must be an IPv4 address.",
            ValidationErrorKind.IpV6Expected => "must be an IPv6 address.",
            ValidationErrorKind.GuidExpected or ValidationErrorKind.UuidExpected => "must be a UUID.",
            ValidationErrorKind.EmailExpected => "must be an e-mail address.",
            ValidationErrorKind.HostnameExpected => "must be a host name.",
            ValidationErrorKind.Base64Expected => "must be base64 text.",
            _ => $"does not match the schema ({Words(error.Kind)}).",
        };
    }

    /// <summary>"ArrayItemNotValid" → "array item not valid", for kinds without a sentence of their own.</summary>
    private static string Words(ValidationErrorKind kind)
    {
        var name = kind.ToString();
        var text = new StringBuilder(name.Length + 8);
        foreach (var ch in name)
        {
            if (char.IsUpper(ch) && text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(char.ToLowerInvariant(ch));
        }

        return text.ToString();
    }
}
