"""Story: one backfire told chapter by chapter, for a class.

Sidebar: the case. Main: the chapter buttons (the chapter is in the URL), the chapter (its
text and source, one number, the timeline zoomed to its window with its events written on
the chart, what the crowd talked about, a few posts, a "predict, then reveal" prompt),
Previous / Next; the last chapter holds the discussion questions and the glossary. Large
type, for a projector; every control is a button or field reachable with Tab.
"""

import streamlit as st

from analysis.cases import Case
from ui import boot, controls, data, story, widgets
from ui.errors import edge

boot.through_navigation()

with edge():
    cases = data.all_cases()
    if not cases:
        st.warning("No case is available yet. Run `python -m analysis build-archives`.")
        st.stop()
    story.projector_type()
    case_id = controls.case_picker(cases)
    case: Case = cases[case_id]

    st.title(widgets.md_escape(f"The story of #{case.hashtag}"), anchor=False)
    st.markdown(f"**{widgets.md_escape(case.brand)}** asked: {widgets.md_escape(case.ask)}")
    widgets.provenance_notice(case.provenance, compact=True)
    if not case.chapters:
        st.info("This case has no story chapters yet: add `[[chapters]]` to its case file "
                "(see the bundled cases). Its discussion questions and the glossary follow.")
    key = story.chapter_picker(case)
    if key == story.DISCUSS:
        story.discussion(case)
    else:
        story.chapter(case, next(ch for ch in case.chapters if ch.phase == key))
    story.step_buttons(case, key)
    st.caption("Keyboard: Tab moves between the chapter buttons, Previous / Next and the "
               "prediction field; Enter or Space presses a button.")
