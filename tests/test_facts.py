"""Case facts: header table first, narrative cues otherwise; patient and reviewer."""


def test_narrative_dates_take_the_nearest_cue(nlp):
    text = (
        "HOW THE IMR FINAL DETERMINATION WAS MADE\nThe expert reviewer is Board Certified in Internal Medicine "
        "and is licensed to practice in Texas.\n\nCLINICAL CASE SUMMARY\nThe injured worker is a 35-year-old "
        "woman who was injured on 3/2/2012. An application for Independent Medical Review was filed on "
        "9/6/2013 disputing the Utilization Review Denial dated 8/30/2013.\n"
    )
    facts = nlp(text)._.facts
    assert facts["case"]["date_of_injury"] == "2012-03-02"
    assert facts["case"]["application_date"] == "2013-09-06"
    assert facts["case"]["ur_decision_date"] == "2013-08-30"
    assert facts["patient"] == {"age": 35, "sex": "female"}
    assert facts["reviewer"] == {"specialties": ["Internal Medicine"], "licensure_states": ["Texas"]}


def test_header_table_wins_over_the_narrative(nlp, header_letter):
    case = nlp(header_letter)._.facts["case"]
    assert case["date_of_injury"] == "2014-04-22"
    assert case["application_date"] == "2016-09-28"


def test_specialty_written_like_a_treatment(nlp):
    text = (
        "HOW THE IMR FINAL DETERMINATION WAS MADE\nThe Expert Reviewer has the following credentials:\n"
        "State(s) of Licensure: California\nCertification(s)/Specialty: Acupuncture\n\nCLINICAL CASE SUMMARY\n"
        "The patient had acupuncture before.\n"
    )
    reviewer = nlp(text)._.facts["reviewer"]
    assert reviewer == {"specialties": ["Acupuncture"], "licensure_states": ["California"]}


def test_sex_only_when_stated_with_the_age(nlp):
    text = "CLINICAL CASE SUMMARY\nThe injured worker is a 44 year old who reports pain. He is a male carpenter.\n"
    assert nlp(text)._.facts["patient"] == {"age": 44, "sex": None}


def test_injury_date_from_the_sentences_introducing_the_worker(nlp):
    text = (
        "CLINICAL CASE SUMMARY\nThe injured worker is a 67-year-old man who operates heavy equipment. "
        "On January 22, 2016 his loader dropped into a trench. He was seen on 2/3/2016.\n"
    )
    assert nlp(text)._.facts["case"]["date_of_injury"] == "2016-01-22"


def test_header_written_as_a_column_of_labels_then_a_column_of_values(nlp):
    text = (
        "Case Number:\nDate Assigned:\nDecision Date:\nPriority:\n\nCM17-0118832\n06/29/2017\n08/03/2017\nStandard\n\n"
        "Claim Number:\nUR Denial Date:          06/12/2017\n\n"
        "HOW THE IMR FINAL DETERMINATION WAS MADE\nAn expert reviewer.\n"
    )
    case = nlp(text)._.facts["case"]
    assert (case["case_number"], case["date_assigned"], case["decision_date"], case["ur_decision_date"]) == (
        "CM17-0118832", "2017-06-29", "2017-08-03", "2017-06-12",
    )
