using System.Text.Json.Nodes;

namespace TaskFlow.Hooks;

/// <summary>The plans in one store file: those of one Claude Code session, or of one claude-flow task id.</summary>
internal sealed class HookBook
{
    public List<HookPlan> Plans { get; } = [];

    /// <summary>How many times the book has been written: a process that read it can tell whether another changed it since.</summary>
    public long Revision { get; set; }

    /// <summary>
    /// The revision up to which a TaskFlow server has been sent everything the book holds (live
    /// plans): a hook process whose change is at or below it has nothing left to send.
    /// </summary>
    public long LiveRevision { get; set; }

    public HookPlan? Find(string workflowId) => Plans.FirstOrDefault(p => p.WorkflowId == workflowId);

    public HookPlan? FindByToolUse(string? toolUseId) =>
        string.IsNullOrEmpty(toolUseId) ? null : Plans.LastOrDefault(p => p.ToolUseId == toolUseId);

    /// <summary>Adds a plan, replacing one with the same workflow id.</summary>
    public void Put(HookPlan plan)
    {
        Plans.RemoveAll(p => p.WorkflowId == plan.WorkflowId);
        Plans.Add(plan);
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["version"] = 1, ["revision"] = Revision };
        if (LiveRevision > 0)
        {
            json["liveRevision"] = LiveRevision;
        }

        json["plans"] = new JsonArray(Plans.Select(p => (JsonNode?)p.ToJson()).ToArray());
        return json;
    }

    public static HookBook FromJson(JsonNode? json)
    {
        if (json is not JsonObject root || root["plans"] is not JsonArray plans)
        {
            throw new FormatException("it is not a TaskFlow plan file ({ \"version\": 1, \"plans\": [...] })");
        }

        var revision = (long)(HookJson.Number(root["revision"]) ?? 0);
        var book = new HookBook
        {
            Revision = revision,
            // Never past the file's own revision (a file edited or copied by hand): that would
            // make every later change look sent already.
            LiveRevision = Math.Min((long)(HookJson.Number(root["liveRevision"]) ?? 0), revision),
        };
        foreach (var plan in plans)
        {
            book.Plans.Add(HookPlan.FromJson(plan as JsonObject ?? throw new FormatException("a plan is not an object")));
        }

        return book;
    }
}
