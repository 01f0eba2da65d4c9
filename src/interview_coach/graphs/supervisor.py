"""The supervisor graph: plans, asks, waits, analyses, evaluates, follows up, reports, coaches."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from interview_coach.core.deps import AppDeps
from interview_coach.graphs.coaching_nodes import (
    await_coach,
    coach_reply,
    end_session,
    remember,
    route_after_coach_input,
    write_report,
)
from interview_coach.graphs.interview_nodes import (
    analyze_answer,
    ask_question,
    await_answer,
    evaluate_answer,
    next_question,
    plan_interview,
    prepare_follow_up,
    route_after_analysis,
    route_after_answer,
    route_after_evaluation,
    route_after_next,
    skip_question,
    status_reply,
)
from interview_coach.graphs.state import InterviewState


def build_graph() -> StateGraph[InterviewState, AppDeps, InterviewState, InterviewState]:
    """Wire the supervisor graph (compile it with a checkpointer)."""
    builder = StateGraph(InterviewState, context_schema=AppDeps)
    for node in (
        plan_interview,
        ask_question,
        await_answer,
        status_reply,
        analyze_answer,
        evaluate_answer,
        prepare_follow_up,
        skip_question,
        next_question,
        write_report,
        remember,
        await_coach,
        coach_reply,
        end_session,
    ):
        builder.add_node(node.__name__, node)
    builder.add_edge(START, "plan_interview")
    builder.add_edge("plan_interview", "ask_question")
    builder.add_edge("ask_question", "await_answer")
    builder.add_conditional_edges("await_answer", route_after_answer)
    builder.add_edge("status_reply", "await_answer")
    builder.add_conditional_edges("analyze_answer", route_after_analysis)
    builder.add_conditional_edges("evaluate_answer", route_after_evaluation)
    builder.add_edge("prepare_follow_up", "ask_question")
    builder.add_edge("skip_question", "next_question")
    builder.add_conditional_edges("next_question", route_after_next)
    builder.add_edge("write_report", "remember")
    builder.add_edge("remember", "await_coach")
    builder.add_conditional_edges("await_coach", route_after_coach_input)
    builder.add_edge("coach_reply", "await_coach")
    builder.add_edge("end_session", END)
    return builder
