namespace IronOrleans.Silo.Database;

/// <summary>One embedded, idempotent SQL script of the IronOrleans PostgreSQL schema.</summary>
/// <param name="Version">Order of the script; taken from the four-digit prefix of its file name.</param>
/// <param name="Name">File name without the prefix and extension, e.g. <c>clustering</c>.</param>
/// <param name="Sql">The script text (line endings normalised to LF).</param>
/// <param name="Checksum">Lower-case hex SHA-256 of <paramref name="Sql"/>.</param>
public sealed record SchemaScript(int Version, string Name, string Sql, string Checksum);
