"""Who may change what on a contract's documents (rules predicates of (user, contract)).

Reading is the access policy's job (resilience.policy); these answer "may this user, who can
already see the document, change it?"
"""
from contracts.workflow import leads_contract, on_team, practice_lead_of, rcgp_team
from core.roles import is_adviser, is_deputy_lead, is_practice_lead, is_practice_user

of_practice = is_practice_user & practice_lead_of  # practice_lead_of tests membership of the contract's practice

can_write_documents = rcgp_team                      # advisers on the team, the deputy lead, RCGP admin
can_update_progress = rcgp_team | of_practice        # RAG, progress, milestones, evidence
can_check_accuracy = is_practice_lead & practice_lead_of  # notes corrections while the report is with the practice
can_read_corrections = rcgp_team | of_practice       # the factual-accuracy exchange: never the commissioner
can_run_questionnaire = rcgp_team
# Individual questionnaire answers: the same people as access.questionnaire_responses_for (the deputy
# lead who leads the contract, advisers currently on its team), not even RCGP admin. A test keeps the
# two in step.
can_read_answers = (is_deputy_lead & leads_contract) | (is_adviser & on_team)
# Staff invitations to the questionnaire (and so their e-mail addresses): the contract's practice – its lead
# and its users – and nobody else. The RCGP team only ever sees counts, so no one who reads the answers can
# hold a spare invitation. access.questionnaire_invitations_for answers the same; a test keeps them in step.
can_invite_staff = of_practice
