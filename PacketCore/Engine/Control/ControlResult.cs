namespace IronOrleans.PacketCore.Control;

/// <summary>How a control operation ended; the gRPC layer maps each kind to its transport behaviour.</summary>
public enum ControlStatus : byte
{
    /// <summary>Done; <c>Status.code</c> 0 ("Success").</summary>
    Ok = 0,

    /// <summary>Failed with a dpservice application error (<see cref="ControlResult.Error"/>), sent in <c>Status</c>.</summary>
    Failed = 1,

    /// <summary>Malformed input; dpservice answers gRPC <c>INVALID_ARGUMENT</c> with <see cref="ControlResult.Message"/>.</summary>
    InvalidArgument = 2,

    /// <summary><c>Initialize</c> has not been called yet; dpservice answers gRPC <c>ABORTED "not initialized"</c>.</summary>
    NotInitialized = 3,
}

/// <summary>Outcome of a control operation without data. A value, never an exception.</summary>
public readonly record struct ControlResult(ControlStatus Status, DpError Error, string Message)
{
    /// <summary>The text dpservice uses for the initialization gate.</summary>
    public const string NotInitializedMessage = "not initialized";

    public static ControlResult Ok { get; } = new(ControlStatus.Ok, DpError.Success, "Success");

    public static ControlResult NotInitialized { get; } =
        new(ControlStatus.NotInitialized, DpError.Success, NotInitializedMessage);

    public bool IsOk => Status == ControlStatus.Ok;

    public static ControlResult Fail(DpError error) => new(ControlStatus.Failed, error, DpErrors.GetName(error));

    public static ControlResult Invalid(string message) => new(ControlStatus.InvalidArgument, DpError.Success, message);

    /// <summary>A successful result carrying <paramref name="value"/>.</summary>
    public static ControlResult<T> Success<T>(T value) => new(Ok, value);

    public override string ToString() => Status switch
    {
        ControlStatus.Failed => $"{(uint)Error} {Message}",
        _ => $"{Status}: {Message}",
    };
}

/// <summary>Outcome of a control operation with data (<see cref="Value"/> is set only when <see cref="IsOk"/>).</summary>
public readonly record struct ControlResult<T>(ControlResult Result, T? Value)
{
    public ControlStatus Status => Result.Status;

    public DpError Error => Result.Error;

    public string Message => Result.Message;

    public bool IsOk => Result.IsOk;

    public static implicit operator ControlResult<T>(ControlResult result) => new(result, default);

    public override string ToString() => Result.ToString();
}
