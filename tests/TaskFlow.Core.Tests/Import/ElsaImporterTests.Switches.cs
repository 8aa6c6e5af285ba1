namespace TaskFlow.Core.Tests.Import;

/// <summary>Switch and FlowSwitch cases as conditions.</summary>
public partial class ElsaImporterTests
{
    //   Switch1 ─[js: big]─────────────────────────────> Big
    //           ─[js: (small) && (!(big))]─────────────> Small     MatchFirst: a case excludes the ones before it
    //           ─[js: !((big) || ((small) && !(big)))]─> Other     Default: none of them
    [Fact]
    public void Convert_FlowSwitchMatchFirst_EachCaseExcludesTheEarlierOnesAndDefaultIsNoneOfThem()
    {
        const string cases = """
            "cases": [
              { "label": "Big", "condition": { "typeName": "Boolean", "expression": { "type": "JavaScript", "value": "getVariable('Body') > 100" } } },
              { "label": "Small", "condition": { "typeName": "Boolean", "expression": { "type": "JavaScript", "value": "return getVariable('Body') > 10;" } } } ]
            """;
        var json = Definition($"{Activity("Switch1", "Elsa.FlowSwitch", cases)}, {WriteLine("Big")}, {WriteLine("Small")}, {WriteLine("Other")}",
            $"{Link("Switch1", "Big", "Big")}, {Link("Switch1", "Small", "Small")}, {Link("Switch1", "Other", "Default")}", BodyVariable);

        var definition = Import(json);

        Assert.Equal(
            [
                "Switch1->Big [js: getVariable('Body') > 100]",
                "Switch1->Other [js: !((getVariable('Body') > 100) || ((getVariable('Body') > 10) && (!(getVariable('Body') > 100))))]",
                "Switch1->Small [js: (getVariable('Body') > 10) && (!(getVariable('Body') > 100))]",
            ],
            EdgeList(definition));
        AssertValid(definition);
    }
}
