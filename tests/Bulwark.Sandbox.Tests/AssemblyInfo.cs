using System.Runtime.Versioning;

// These tests drive real bubblewrap: they only mean something on Linux.
[assembly: SupportedOSPlatform("linux")]
